// tests/e2e/browser/persons.js - finding and registering persons in a real
// headless Chromium (tests/e2e/test_ui_browser.sh runs it after
// signin.js): search by part of a name and by birth date, the scheda with
// each field's history, the registration form drawn from the schema with
// an error shown next to its field, and the duplicate warning at
// registration with its confirmation.
//   node persons.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

wd.script((b, { ui, pass }) => {
	const tests = [
		['signin', async () => {
			await wd.signIn(b, ui, pass);
		}],
		['search_by_part_of_name', async () => {
			await b.click('#menu button[data-vai=persone]');
			await b.type('#cerca-nome', 'okonk');
			await b.click('#modulo-cerca button[type=submit]');
			await b.waitText('#esito-ricerca', '1 persona trovata');
			await b.waitText('#risultati tbody', 'Okonkwo-Nwosu Ifeoma');
			await b.waitText('#risultati tbody', '04/03/1990');
			const url = await b.url();
			if (url.includes('okonk')) throw new Error(`the name is in the URL: ${url}`);
			await b.shot('persone-ricerca');
		}],
		['search_by_birth_date', async () => {
			await b.type('#cerca-nome', '');
			await b.type('#cerca-nascita', '04/03/1990');
			await b.click('#modulo-cerca button[type=submit]');
			await b.waitText('#risultati tbody', 'Okonkwo-Nwosu');
		}],
		['search_error_shown', async () => {
			await b.type('#cerca-nascita', '31/02/1990');
			await b.click('#modulo-cerca button[type=submit]');
			await b.waitText('#esito-ricerca', 'nascita');
			await b.type('#cerca-nascita', '04/03/1990');
			await b.click('#modulo-cerca button[type=submit]');
			await b.waitText('#risultati tbody', 'Okonkwo-Nwosu');
		}],
		['scheda_with_history', async () => {
			await b.click('#risultati tbody button');
			await b.waitText('#titolo-scheda', 'Scheda anagrafica');
			await b.waitText('#campi-scheda', 'Okonkwo-Nwosu');
			await b.waitText('#campi-scheda', '04/03/1990');
			await b.waitText('#storia tbody', 'alice');
			await b.waitText('#storia tbody', 'questo nodo');
			await b.shot('scheda');
		}],
		['form_from_schema', async () => {
			await b.click('#menu button[data-vai=nuova]');
			await b.wait('#modulo-persona [data-campo=given_name] input');
			const n = await b.run(`return document.querySelectorAll(
				'#modulo-persona .campo').length`);
			if (n < 15) throw new Error(`only ${n} fields drawn`);
			const lab = await b.text('#modulo-persona [data-campo=sex] label');
			if (!lab.includes('Sesso')) throw new Error(`label '${lab}'`);
			const opts = await b.run(`return [...document.querySelectorAll(
				'#modulo-persona [data-campo=sex] option')].map(o => o.text)`);
			if (!opts.includes('Femmina')) throw new Error(`options ${opts}`);
			await b.shot('nuova-persona');
		}],
		['error_next_to_field', async () => {
			await b.type('#modulo-persona [data-campo=given_name] input', 'Amina');
			await b.type('#modulo-persona [data-campo=family_name] input', 'Diallo');
			await b.type('#modulo-persona [data-campo=birth_date] input', '12/1990');
			await b.click('#modulo-persona button[type=submit]');
			await b.waitText('#modulo-persona [data-campo=birth_date] .errore', '31/12/1990');
			await b.shot('nuova-persona-errore');
		}],
		['new_person_saved', async () => {
			await b.type('#modulo-persona [data-campo=birth_date] input', '01/02/1985');
			await b.click('#modulo-persona button[type=submit]');
			await b.waitText('#campi-scheda', 'Diallo');
			await b.waitText('#avviso', 'Persona registrata');
		}],
		['scheda_edited_in_its_form', async () => {
			// The new person's scheda: its form comes filled in.
			await b.click('#modifica-scheda');
			await b.waitText('#titolo-modifica', 'Modifica: Scheda anagrafica');
			const filled = await b.run(`return document.querySelector(
				'#modulo-modifica [data-campo=birth_date] input').value`);
			if (filled !== '01/02/1985') throw new Error(`birth date shown as '${filled}'`);
			await b.type('#modulo-modifica [data-campo=birth_date] input', '31/02/1985');
			await b.click('#modulo-modifica button[type=submit]');
			await b.waitText('#modulo-modifica [data-campo=birth_date] .errore', 'birth_date');
			await b.type('#modulo-modifica [data-campo=birth_date] input', '02/02/1985');
			await b.type('#modulo-modifica [data-campo=phone] input', '+39 333 1234567');
			await b.shot('modifica-scheda');
			await b.click('#modulo-modifica button[type=submit]');
			await b.waitText('#avviso', 'Modifiche salvate');
			await b.waitText('#campi-scheda', '02/02/1985');
			await b.waitText('#campi-scheda', '+39 333 1234567');
			await b.waitText('#sync-scheda', 'salvato solo qui');
		}],
		['duplicate_warning_then_confirm', async () => {
			await b.click('#menu button[data-vai=nuova]');
			await b.type('#modulo-persona [data-campo=given_name] input', 'Ifeoma');
			await b.type('#modulo-persona [data-campo=family_name] input', 'Okonkwo Nwosu');
			await b.type('#modulo-persona [data-campo=birth_date] input', '04/03/1990');
			await b.type('#modulo-persona [data-campo=nationality] input', 'NG');
			await b.click('#modulo-persona button[type=submit]');
			await b.waitText('#doppioni-testo', 'NON registrata');
			await b.waitText('#doppioni-lista', 'Okonkwo-Nwosu Ifeoma');
			await b.waitText('#doppioni-lista', 'stessa data di nascita');
			await b.shot('doppione');
			await b.click('#conferma-nuova');
			await b.waitText('#campi-scheda', 'Okonkwo Nwosu');
		}],
		['both_found_after', async () => {
			await b.click('#menu button[data-vai=persone]');
			await b.type('#cerca-nascita', '');
			await b.type('#cerca-nome', 'ifeoma');
			await b.click('#modulo-cerca button[type=submit]');
			await b.waitText('#esito-ricerca', '2 persone trovate');
		}],
	];
	return tests;
});
