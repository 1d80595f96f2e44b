// tests/e2e/browser/case.js - a case through the BdI procedure in a real
// headless Chromium, on an enrolled Polo (tests/e2e/test_ui_review.sh
// opens the case): found from its person's scheda, its stage and
// timeline, the next step taken with one click, and the Helpdesk's steps
// that follow shown without a button, with the reason (the role).
//   node case.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

wd.script((b, { ui, pass }) => {
	const openCase = async () => {
		await wd.signIn(b, ui, pass);
		await b.click('#menu button[data-vai=persone]');
		await b.type('#cerca-nome', 'mensah');
		await b.click('#modulo-cerca button[type=submit]');
		await b.waitText('#risultati tbody', 'Mensah Kofi');
		await b.click('#risultati tbody button');
		await b.waitText('#lista-casi', 'Individuazione');
		const i = await b.run(`return [...document.querySelectorAll(
			'#lista-casi li')].findIndex(l => l.textContent.includes('Individuazione'))`);
		await b.run(`document.querySelectorAll('#lista-casi li button')[${i}].click()`);
		await b.waitText('#titolo-caso', 'Presa in carico');
	};
	const tests = [
		['case_from_person', openCase],
		['stage_and_timeline', async () => {
			await b.waitText('#fase-caso', 'Individuazione');
			await b.waitText('#cronologia', 'Individuazione');
			await b.shot('caso');
		}],
		['step_taken_with_one_click', async () => {
			await b.waitText('#passi button', 'Passa a: Pre-assessment inviato');
			await b.click('#passi button');
			await b.waitText('#avviso', 'Passo registrato');
			await b.waitText('#fase-caso', 'Pre-assessment inviato');
			await b.waitText('#cronologia', 'Pre-assessment inviato');
		}],
		['hub_step_refused_for_role', async () => {
			await b.waitText('#passi', "lo può fare solo: l'Helpdesk");
			const buttons = await b.run(
				"return document.querySelectorAll('#passi button').length");
			if (buttons) throw new Error(`${buttons} step buttons for the hub's steps`);
			await b.shot('caso-passo-inviato');
		}],
	];
	return tests;
});
