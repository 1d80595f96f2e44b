// tests/e2e/browser/review.js - the review queue in a real headless
// Chromium (tests/e2e/test_ui_review.sh makes the conflict first): the two
// values side by side with who wrote each and on which node, settled with
// one click, the queue empty after.
//   node review.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

wd.script((b, { ui, pass }) => {
	const tests = [
		['signin', async () => {
			await wd.signIn(b, ui, pass);
			await b.waitText('#conflitti', '1');
			await b.waitText('#menu', 'Da rivedere (1)');
		}],
		['queue_shows_both_values', async () => {
			await b.click('#menu button[data-vai=revisione]');
			await b.waitText('#esito-revisione', '1 scheda da rivedere');
			await b.waitText('#lista-conflitti h2', 'Scheda anagrafica — Telefono');
			const t = await b.text('#lista-conflitti .candidati');
			for (const want of ['+39 320 1111111', '+39 320 2222222',
				'questo nodo', 'alice'])
				if (!t.includes(want)) throw new Error(`no '${want}' in '${t}'`);
			await b.shot('da-rivedere');
		}],
		['settled_with_one_click', async () => {
			// The other value: polo-b's.
			const idx = await b.run(`return [...document.querySelectorAll(
				'#lista-conflitti .candidato')].findIndex(c =>
				c.textContent.includes('2222222'))`);
			if (idx < 0) throw new Error('no candidate with polo-b\'s value');
			await b.run(`document.querySelectorAll(
				'#lista-conflitti .candidato button')[${idx}].click()`);
			await b.waitText('#esito-revisione', 'Niente da rivedere');
			await b.waitText('#avviso', 'Scelta salvata');
			await b.shot('da-rivedere-risolto');
		}],
		['scheda_shows_choice', async () => {
			await b.click('#menu button[data-vai=home]');
			await b.waitText('#conflitti', '0');
		}],
	];
	return tests;
});
