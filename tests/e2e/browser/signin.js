// tests/e2e/browser/signin.js - sign-in, the home page, CSRF, idle end
// and sign-out in a real headless Chromium (tests/e2e/test_ui_browser.sh
// starts the node, its web interface and chromedriver, then runs this).
//   node signin.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

wd.script((b, { ui, pass }) => {
	let wait = 1; // seconds the sign-in is refused after the last failure
	const tests = [
		['page_in_italian', async () => {
			await b.go(ui + '/');
			await b.wait('#modulo-accesso', 'the sign-in form');
			const lang = await b.run('return document.documentElement.lang');
			if (lang !== 'it') throw new Error(`lang '${lang}'`);
			await b.waitText('#titolo-accesso', 'Accesso');
			await b.shot('accesso');
		}],
		['labelled_controls', async () => {
			const bad = await b.run(`return [...document.querySelectorAll(
				'input')].filter(i => !document.querySelector(
				'label[for="' + i.id + '"]')).length`);
			if (bad) throw new Error(`${bad} inputs without a label`);
		}],
		['wrong_passphrase_shown', async () => {
			await b.type('#operatore', 'alice');
			await b.type('#passphrase', 'non-e-questa');
			await b.click('#modulo-accesso button[type=submit]');
			await b.waitText('#errore-accesso', 'non validi');
			const left = await b.run(
				"return document.getElementById('passphrase').value");
			if (left) throw new Error('the passphrase stayed in the form');
		}],
		// The right passphrase too soon after a failure is refused.  The
		// wait after a failure is a second, which WebDriver's round trips
		// outlast on a loaded machine; so the page itself posts a wrong
		// passphrase again (as the form does, again after 100 ms while
		// it is refused as too soon) and, the moment one is checked and
		// fails, submits the form with the right one.
		['retry_too_fast_explained', async () => {
			await b.type('#passphrase', pass);
			const tries = await b.runAsync(`const done = arguments[0];
				const post = () => fetch('/api/session', { method: 'POST',
					credentials: 'same-origin', cache: 'no-store',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({ operator: 'alice',
						passphrase: 'non-e-questa' }) });
				(async () => {
					for (let i = 1; i <= 50; i++) {
						const r = await post();
						if (r.status !== 429) {
							document.querySelector(
								'#modulo-accesso button[type=submit]').click();
							return done(r.status === 401 ? i : -r.status);
						}
						await new Promise((res) => setTimeout(res, 100));
					}
					done(0);
				})();`);
			if (tries <= 0)
				throw new Error(tries ? `a wrong passphrase got ${-tries}`
					: 'every sign-in refused as too soon for 5 s');
			const msg = await b.waitText('#errore-accesso', /riprova tra \d+ second/);
			wait = Number(/riprova tra (\d+)/.exec(msg)[1]);
			await b.shot('accesso-troppo-presto');
		}],
		['signin_shows_home', async () => {
			await wd.sleep(wait * 1000 + 300);
			await b.type('#passphrase', pass);
			await b.click('#modulo-accesso button[type=submit]');
			await b.waitText('#chi', 'Operatore: alice');
			await b.waitText('#schede', '3');
			await b.waitText('#ultima-sync', 'non ancora registrato');
			await b.waitText('#casi-totale', '1 caso');
			await b.waitText('#casi-bdi', 'Individuazione');
			await b.waitText('#scadenze', 'Permesso di soggiorno in scadenza');
			await b.waitText('#scadenze', 'Camara Musa');
			await b.shot('home');
		}],
		['nothing_for_scripts_or_storage', async () => {
			const v = await b.run(`return [document.cookie,
				localStorage.length, sessionStorage.length,
				document.title, location.href]`);
			if (v[0] !== '') throw new Error(`cookie readable: '${v[0]}'`);
			if (v[1] || v[2]) throw new Error('browser storage used');
			if (v[3] !== 'Presidio') throw new Error(`title '${v[3]}'`);
			if (v[4] !== ui + '/') throw new Error(`url '${v[4]}'`);
		}],
		['csrf_needed_in_browser', async () => {
			const st = await b.runAsync(`const done = arguments[0];
				fetch('/api/session', { method: 'DELETE' })
					.then(r => done(r.status), e => done(String(e)))`);
			if (st !== 403) throw new Error(`status ${st}`);
			await b.go(ui + '/');
			await b.waitText('#chi', 'Operatore: alice');
		}],
		['signout', async () => {
			await b.click('#esci');
			await b.wait('#modulo-accesso', 'the sign-in form');
			await b.waitText('#avviso', 'chiavi della sessione');
			await b.go(ui + '/');
			await b.wait('#modulo-accesso', 'the sign-in form');
			await b.shot('uscita');
		}],
		['idle_session_ends', async () => {
			await b.type('#operatore', 'alice');
			await b.type('#passphrase', pass);
			await b.click('#modulo-accesso button[type=submit]');
			await b.waitText('#chi', 'Operatore: alice');
			await wd.sleep(5000);
			await b.go(ui + '/');
			await b.wait('#modulo-accesso', 'the sign-in form');
			await b.waitText('#avviso', 'inattivit');
			await b.shot('sessione-scaduta');
		}],
	];
	return tests;
});
