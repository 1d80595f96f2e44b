// tests/e2e/browser/usable.js - the interface used without a mouse and
// on the screens operators have (tests/e2e/test_ui_browser.sh): sign-in
// and navigation with the keyboard alone, every control labelled, text
// contrast at least 4.5:1 (WCAG 2.1 AA) on the main screens, and no
// sideways scrolling at 1366x768 (the office PC) nor on a 10-inch tablet
// (800x1280 upright, 1280x800 lying), with a screenshot of each.
//   node usable.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

const TAB = '\uE004', ENTER = '\uE007';

// In the page: what is wrong on the visible screen (a list of texts).
const AUDIT = `
const problems = [];
const visible = (e) => e.offsetParent !== null || e.getClientRects().length > 0;
for (const c of document.querySelectorAll('input, select, textarea')) {
	if (!visible(c) || c.type === 'hidden') continue;
	const byFor = c.id && document.querySelector('label[for="' + c.id + '"]');
	const ok = byFor || c.closest('label') || c.getAttribute('aria-label') ||
		c.closest('fieldset');
	if (!ok) problems.push('no label: ' + (c.id || c.name || c.tagName));
}
for (const bt of document.querySelectorAll('button')) {
	if (visible(bt) && !bt.textContent.trim() && !bt.getAttribute('aria-label'))
		problems.push('button without text');
}
const rgb = (t) => (t.match(/[0-9.]+/g) || []).map(Number);
const lum = ([r, g, b]) => {
	const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
	return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const background = (e) => {
	for (let x = e; x; x = x.parentElement) {
		const c = rgb(getComputedStyle(x).backgroundColor);
		if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
	}
	return [255, 255, 255];
};
let worst = 21, where = '';
for (const e of document.querySelectorAll('body *')) {
	if (!visible(e) || e.closest('canvas')) continue;
	const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
	if (!own) continue;
	const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
	const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
	if (ratio < worst) { worst = ratio; where = e.tagName + '.' + e.className + ' "' +
		e.textContent.trim().slice(0, 30) + '"'; }
}
if (worst < 4.5) problems.push('contrast ' + worst.toFixed(2) + ' at ' + where);
const over = document.documentElement.scrollWidth - window.innerWidth;
if (over > 0) problems.push('scrolls sideways by ' + over + ' px');
return problems;`;

wd.script((b, { ui, pass }) => {
	const audit = async (what) => {
		const p = await b.run(AUDIT);
		if (p.length) throw new Error(`${what}: ${p.join('; ')}`);
	};
	// Each main screen at the window's size, audited and shot.
	const screens = async (tag) => {
		await b.click('#menu button[data-vai=home]');
		await b.wait('#casi-fase');
		await audit(`${tag} home`);
		await b.shot(`${tag}-home`);
		await b.click('#menu button[data-vai=persone]');
		await b.type('#cerca-nome', 'okonkwo');
		await b.click('#modulo-cerca button[type=submit]');
		await b.waitText('#risultati tbody', 'Okonkwo');
		await audit(`${tag} search`);
		await b.click('#risultati tbody button');
		await b.wait('#campi-scheda dt');
		await audit(`${tag} scheda`);
		await b.shot(`${tag}-scheda`);
		await b.click('#menu button[data-vai=nuova]');
		await b.wait('#modulo-persona input');
		await audit(`${tag} registration form`);
		await b.click('#menu button[data-vai=revisione]');
		await b.wait('#esito-revisione');
		await audit(`${tag} review`);
	};
	return [
		['signin_with_keyboard_only', async () => {
			await b.size(1366, 768);
			await b.go(ui + '/');
			await b.wait('#operatore');
			await audit('sign-in');
			await b.run("document.getElementById('operatore').focus()");
			await b.keys(...'alice', TAB, ...pass, ENTER);
			await b.waitText('#chi', 'Operatore: alice');
		}],
		['menu_reached_and_used_with_tab', async () => {
			// From the page's heading, Tab until "Persone" has the focus,
			// then Enter opens it.
			let reached = false;
			for (let i = 0; i < 12 && !reached; i++) {
				await b.keys(TAB);
				reached = await b.run(`const a = document.activeElement;
					return a && a.dataset && a.dataset.vai === 'persone';`);
			}
			if (!reached) throw new Error('"Persone" not reached with Tab');
			await b.keys(ENTER);
			await b.wait('#cerca-nome');
			const focus = await b.run('return document.activeElement.id');
			if (focus !== 'titolo-persone')
				throw new Error(`focus on '${focus}', not the screen's heading`);
		}],
		['office_pc_1366x768', () => screens('pc')],
		['tablet_upright_800x1280', async () => {
			await b.size(800, 1280);
			await screens('tablet');
		}],
		['tablet_lying_1280x800', async () => {
			await b.size(1280, 800);
			await screens('tablet-orizzontale');
		}],
	];
});
