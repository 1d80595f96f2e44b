// tests/e2e/browser/dashboard.js - the Helpdesk's national dashboard in a
// real headless Chromium, on a hub that serves a node
// (tests/e2e/test_ui_dashboard.sh imports 18 cases: Puglia 6 at
// "Individuazione" and 5 moved on to "Pre-assessment inviato", Sicilia 7
// at "Individuazione"): the menu entry, the four charts drawn, the cases
// chart with those numbers, every chart equal to the report the API
// gives, a partner's allocation changed (a bad number refused) and drawn
// again, and the node with its last contact.
//   node dashboard.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

// Each chart's labels and datasets as drawn, by canvas id.
const DRAWN = `return Object.fromEntries(['grafico-casi', 'grafico-giorni',
	'grafico-doti', 'grafico-spesa'].map((id) => {
	const c = window.Chart && window.Chart.getChart(document.getElementById(id));
	return [id, c ? { labels: c.data.labels, sets: c.data.datasets.map(
		(d) => ({ label: d.label, data: d.data })) } : null];
}));`;

wd.script((b, { ui, pass }) => [
	['signin', () => wd.signIn(b, ui, pass)],
	['dashboard_in_menu', async () => {
		await b.wait('#menu-cruscotto');
		const hidden = await b.run("return document.getElementById('menu-cruscotto').hidden");
		if (hidden) throw new Error('no dashboard entry on the hub');
		await b.click('#menu-cruscotto');
		await b.waitText('#esito-cruscotto', 'Indicatori nazionali');
	}],
	['charts_drawn_with_the_numbers', async () => {
		const g = await b.run(DRAWN);
		for (const [id, c] of Object.entries(g))
			if (!c) throw new Error(`${id} not drawn`);
		const casi = g['grafico-casi'];
		const at = (stage, region) => {
			const s = casi.sets.find((d) => d.label === stage);
			return s ? s.data[casi.labels.indexOf(region)] : undefined;
		};
		const got = [at('Individuazione', 'Puglia'),
			at('Pre-assessment inviato', 'Puglia'),
			at('Individuazione', 'Sicilia'),
			at('Pre-assessment inviato', 'Sicilia')];
		if (JSON.stringify(got) !== '[6,5,7,0]')
			throw new Error(`cases chart ${JSON.stringify(got)}`);
		const doti = g['grafico-doti'];
		const allocated = doti.sets[1].data.reduce((a, v) => a + (v || 0), 0);
		if (allocated !== 195) throw new Error(`doti allocated ${allocated}`);
		await b.shot('cruscotto');
	}],
	['charts_equal_the_report', async () => {
		const rep = await b.runAsync(`const done = arguments[arguments.length - 1];
			fetch('/api/dashboard', { credentials: 'same-origin' })
				.then((r) => r.json()).then((j) => done(j.report));`);
		const t = (n) => rep.tables.find((x) => x.name === n);
		const g = await b.run(DRAWN);
		const want = {
			'grafico-casi': t('cases_bdi').columns.labels.map((l, j) =>
				t('cases_bdi').cells.map((r) => r[j])),
			'grafico-doti': t('doti').columns.labels.map((l, j) =>
				t('doti').cells.map((r) => r[j])),
			'grafico-giorni': [t('days').cells.map((r) => (r.length > 1 ? r[1] : null)),
				t('days').cells.map((r) => (r.length > 2 ? r[2] : null))],
			'grafico-spesa': [(t('spending').row_totals || []).map(
				(v) => (v === null ? null : v / 100))],
		};
		for (const [id, sets] of Object.entries(want)) {
			const drawn = JSON.stringify(g[id].sets.map((s) => s.data));
			if (drawn !== JSON.stringify(sets))
				throw new Error(`${id}: drew ${drawn}, report ${JSON.stringify(sets)}`);
		}
		const days = g['grafico-giorni'];
		if (!days.labels.length || days.sets[0].data.every((v) => v === null))
			throw new Error('no day between stages measured');
	}],
	['tables_beside_charts', async () => {
		await b.waitText('table[data-tabella=cases_bdi]', 'Puglia');
		const t = await b.text('table[data-tabella=cases_bdi] tbody');
		if (!t.includes('18')) throw new Error(`no total of 18 cases in '${t}'`);
	}],
	['allocation_changed_and_drawn', async () => {
		const first = await b.run(`const s = document.getElementById('assegna-partner');
			return [s.options[0].value, s.options[0].textContent, s.options[0].dataset.assegnate];`);
		const before = Number(first[2]);
		await b.type('#assegna-numero', 'molte');
		await b.click('#modulo-assegnazione button[type=submit]');
		await b.waitText('#esito-assegnazione', 'numero intero');
		await b.type('#assegna-numero', String(before + 7));
		await b.click('#modulo-assegnazione button[type=submit]');
		await b.waitText('#esito-assegnazione', 'Assegnazione salvata');
		const g = await b.run(DRAWN);
		const doti = g['grafico-doti'];
		const i = doti.labels.indexOf(first[1]);
		if (doti.sets[1].data[i] !== before + 7)
			throw new Error(`${first[1]} drawn with ${doti.sets[1].data[i]}, not ${before + 7}`);
		await b.shot('cruscotto-assegnazione');
	}],
	['nodes_with_last_contact', async () => {
		await b.waitText('#nodi tbody', 'polo-b');
		const row = await b.text('#nodi tbody tr');
		if (!row.includes('attivo') || row.includes('mai'))
			throw new Error(`node row '${row}'`);
	}],
]);
