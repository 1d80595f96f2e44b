// tests/e2e/browser/case.js - a case through the BdI procedure in a real
// headless Chromium, on an enrolled Polo (tests/e2e/test_ui_review.sh
// opens the case): found from its person's scheda, its stage and
// timeline, the next step taken with one click and shown as saved here
// only, the Helpdesk's steps that follow shown without a button, with the
// reason (the role), and a service added from the form the schema draws.
//   node case.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

wd.script((b, { ui, pass }) => {
	const tests = [
		['case_from_person', async () => {
			await wd.signIn(b, ui, pass);
			await wd.openCase(b, 'mensah', 'Individuazione');
		}],
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
			// Not sent yet: saved here only, the stage field too.
			await b.wait('#sync-caso [data-stato=local]');
			await b.waitText('#sync-caso', 'salvato solo qui');
			await b.wait('#campi-caso [data-stato=local]');
		}],
		['hub_step_refused_for_role', async () => {
			await b.waitText('#passi', "lo può fare solo: l'Helpdesk");
			const buttons = await b.run(
				"return document.querySelectorAll('#passi button').length");
			if (buttons) throw new Error(`${buttons} step buttons for the hub's steps`);
			await b.shot('caso-passo-inviato');
		}],
		['service_added_from_schema_form', async () => {
			await b.run(`const s = document.getElementById('nuova-nel-caso');
				s.value = 'service'; s.dispatchEvent(new Event('change'));`);
			await b.click('#aggiungi-al-caso');
			await b.waitText('#titolo-figlio', 'Nuova scheda: ');
			// A required field left empty: its error next to it.
			await b.click('#modulo-figlio button[type=submit]');
			await b.waitText('[data-campo=date] .errore', 'obbligatorio');
			await b.run(`const s = document.querySelector('#modulo-figlio [name=service_type]');
				s.selectedIndex = 1;`);
			await b.type('#modulo-figlio [name=date]', '01/12/2026');
			await b.shot('caso-nuovo-servizio');
			await b.click('#modulo-figlio button[type=submit]');
			await b.waitText('#avviso', 'Scheda salvata');
			await b.wait('#schede-caso table[data-raccolta=service] tbody tr');
			await b.waitText('#schede-caso table[data-raccolta=service]', '01/12/2026');
			await b.shot('caso-schede');
		}],
	];
	return tests;
});
