// tests/e2e/browser/roles.js - need-to-know in a real headless Chromium
// (tests/e2e/test_ui_roles.sh makes the node, a person with reserved notes
// and the mediatore mario first): mario sees the reserved fields marked
// "Riservato" and never their values, his form has no field his role may
// not write, the emergency access opens them with a reason, and the
// coordinatore alice finds that access in the Registro accessi, flagged.
//   node roles.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

async function signInAs(b, ui, who, pass, label) {
	await b.go(ui + '/');
	await b.type('#operatore', who);
	await b.type('#passphrase', pass);
	await b.click('#modulo-accesso button[type=submit]');
	await b.waitText('#chi', `Operatore: ${who} (${label}`);
}

async function openPerson(b, name) {
	await b.click('#menu button[data-vai=persone]');
	await b.type('#cerca-nome', name);
	await b.click('#modulo-cerca button[type=submit]');
	await b.wait('#risultati tbody button');
	await b.click('#risultati tbody button');
	await b.waitText('#titolo-scheda', 'Scheda anagrafica');
}

wd.script((b, { ui, pass }) => {
	const tests = [
		['mediatore_signs_in', async () => {
			await signInAs(b, ui, 'mario', pass, 'Mediatore');
			const hidden = await b.run(
				"return document.getElementById('menu-registro').hidden");
			if (!hidden) throw new Error('the Registro accessi is offered to a mediatore');
		}],
		['reserved_marked_not_shown', async () => {
			await openPerson(b, 'diallo');
			await b.waitText('#campi-scheda', 'Riservato: non visibile al ruolo Mediatore');
			const t = await b.text('main');
			if (t.includes('NOTA-RISERVATA') || t.includes('VULN-SALUTE'))
				throw new Error('a reserved value is on the page');
			if (!t.includes('NOTA-COLLOQUIO')) throw new Error('the interview notes are missing');
			await b.shot('ruoli-scheda-riservata');
		}],
		['form_without_reserved_fields', async () => {
			await b.click('#modifica-scheda');
			await b.wait('#modulo-modifica [data-campo=given_name]');
			const n = await b.run(`return document.querySelectorAll(
				'#modulo-modifica [data-campo=special_notes], ' +
				'#modulo-modifica [data-campo=vulnerabilities]').length`);
			if (n !== 0) throw new Error(`${n} reserved fields in the form`);
			await b.click('#annulla-modifica');
			await b.waitText('#titolo-scheda', 'Scheda anagrafica');
		}],
		['emergency_needs_reason', async () => {
			await b.click('#emergenza button[type=submit]');
			await b.waitText('#errore-emergenza', 'Scegli il motivo');
		}],
		['emergency_opens_reserved', async () => {
			await b.run(`document.getElementById('motivo-emergenza').value =
				'necessita_sanitaria'`);
			await b.click('#emergenza button[type=submit]');
			await b.waitText('#campi-scheda', 'NOTA-RISERVATA');
			await b.waitText('#avviso', 'Accesso di emergenza fino alle');
			await b.shot('ruoli-accesso-emergenza');
		}],
		['coordinator_sees_it_in_registro', async () => {
			await b.click('#esci');
			await b.wait('#modulo-accesso');
			await signInAs(b, ui, 'alice', pass, 'Coordinatore');
			await b.click('#menu button[data-vai=registro]');
			await b.waitText('#tabella-registro tbody', 'accesso di emergenza (EMERGENZA)');
			await b.waitText('#tabella-registro tbody', 'necessità sanitaria');
			const t = await b.text('#tabella-registro');
			if (t.includes('Diallo') || t.includes('NOTA-'))
				throw new Error('personal data in the trail');
			await b.run("document.getElementById('solo-emergenze').click()");
			await b.wait('#tabella-registro tbody tr.emergenza');
			const rows = await b.run(`return [...document.querySelectorAll(
				'#tabella-registro tbody tr')].every(r => r.classList.contains('emergenza'))`);
			if (!rows) throw new Error('a non-emergency row under "Solo gli accessi di emergenza"');
			await b.shot('ruoli-registro-accessi');
		}],
	];
	return tests;
});
