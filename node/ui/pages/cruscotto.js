// Presidio: the Helpdesk's national dashboard (GET /api/dashboard, on
// the hub only).  Four charts from the report's tables (cases per region
// and BdI stage, days between stages, doti used and allocated per
// partner, spending per area), each with its table beside it, which is
// also what a screen reader reads; small counts the report hides are
// shown as "riservato" in the tables and left out of the charts.  Then the
// nodes with their last contact and the changes refused.  Chart.js is
// Debian's libjs-chart.js, served by the node as /static/chart.js and
// loaded the first time the dashboard opens; without it the tables stay.
// Uses app.js's helpers (api, el, mostra, data, cella).
'use strict';

const COLORI = ['#0b4f8a', '#a4000f', '#1d5e20', '#8a6d00', '#5b2a86',
	'#005f66', '#7a3b00', '#3d3d3d', '#b3006b', '#2f5d00'];

const TIPI_NODO = { polo: 'Polo', pda: 'Punto di Accesso',
	attuatore: 'Soggetto attuatore' };

function caricaChart() {
	if (window.Chart) return Promise.resolve(true);
	return new Promise((ok) => {
		const s = document.createElement('script');
		s.src = '/static/chart.js';
		s.onload = () => ok(Boolean(window.Chart));
		s.onerror = () => ok(false);
		document.head.append(s);
	});
}

function tabella(report, nome) {
	return (report.tables || []).find((t) => t.name === nome) || null;
}

// A value of table t as people read it.
function leggibile(t, v) {
	if (v === null || v === undefined) return 'riservato';
	if (t.unit === 'euro_cents') return euro(v);
	if (t.unit === 'days') return String(v).replace('.', ',');
	return String(v);
}

// Table t as an HTML table (rows x columns, with its totals).
function disegnaTabella(t) {
	const tab = document.createElement('table');
	tab.className = 'cruscotto';
	tab.dataset.tabella = t.name;
	const cap = document.createElement('caption');
	cap.textContent = t.title + (t.note ? ' — ' + t.note : '');
	const testa = document.createElement('tr');
	const th0 = document.createElement('th');
	th0.scope = 'col';
	th0.textContent = t.rows.label;
	testa.append(th0);
	const colonne = t.columns.labels.slice();
	if (t.row_totals) colonne.push('Totale');
	for (const c of colonne) {
		const th = document.createElement('th');
		th.scope = 'col';
		th.textContent = c;
		testa.append(th);
	}
	const corpo = document.createElement('tbody');
	t.rows.labels.forEach((r, i) => {
		const tr = document.createElement('tr');
		const th = document.createElement('th');
		th.scope = 'row';
		th.textContent = r;
		tr.append(th);
		for (const v of t.cells[i] || []) cella(tr, leggibile(t, v));
		if (t.row_totals) cella(tr, leggibile(t, t.row_totals[i]));
		corpo.append(tr);
	});
	if (t.column_totals) {
		const tr = document.createElement('tr');
		const th = document.createElement('th');
		th.scope = 'row';
		th.textContent = 'Totale';
		tr.append(th);
		for (const v of t.column_totals) cella(tr, leggibile(t, v));
		if (t.row_totals) cella(tr, leggibile(t, t.total));
		corpo.append(tr);
	}
	const thead = document.createElement('thead');
	thead.append(testa);
	tab.append(cap, thead, corpo);
	return tab;
}

// One chart: labels, datasets [{label, data}], stacked or not.
function grafico(id, labels, serie, impila, asseY) {
	const canvas = el(id);
	const vecchio = window.Chart.getChart(canvas);
	if (vecchio) vecchio.destroy();
	return new window.Chart(canvas, {
		type: 'bar',
		data: {
			labels,
			datasets: serie.map((s, i) => ({ label: s.label, data: s.data,
				backgroundColor: COLORI[i % COLORI.length] })),
		},
		options: {
			animation: false,
			responsive: true,
			maintainAspectRatio: false,
			scales: {
				x: { stacked: impila },
				y: { stacked: impila, beginAtZero: true,
					title: { display: Boolean(asseY), text: asseY || '' } },
			},
		},
	});
}

// The charts' data from the report: what each canvas shows.
function datiGrafici(report) {
	const out = {};
	const casi = tabella(report, 'cases_bdi');
	if (casi) out['grafico-casi'] = {
		labels: casi.rows.labels,
		serie: casi.columns.labels.map((l, j) => ({ label: l,
			data: casi.cells.map((r) => r[j]) })),
		impila: true, asse: 'casi' };
	const giorni = tabella(report, 'days');
	if (giorni) out['grafico-giorni'] = {
		labels: giorni.rows.labels,
		serie: [
			{ label: 'Mediana', data: giorni.cells.map((r) => (r.length > 1 ? r[1] : null)) },
			{ label: '90° percentile', data: giorni.cells.map((r) => (r.length > 2 ? r[2] : null)) },
		], impila: false, asse: 'giorni' };
	const doti = tabella(report, 'doti');
	if (doti) out['grafico-doti'] = {
		labels: doti.rows.labels,
		serie: doti.columns.labels.map((l, j) => ({ label: l,
			data: doti.cells.map((r) => r[j]) })),
		impila: false, asse: 'doti' };
	const spesa = tabella(report, 'spending');
	if (spesa) out['grafico-spesa'] = {
		labels: spesa.rows.labels,
		serie: [{ label: 'Spesa (euro)', data: (spesa.row_totals || []).map(
			(v) => (v === null ? null : v / 100)) }],
		impila: false, asse: 'euro' };
	return out;
}

function disegnaNodi(nodi) {
	const corpo = el('nodi').querySelector('tbody');
	corpo.replaceChildren();
	for (const n of nodi) {
		const tr = document.createElement('tr');
		cella(tr, n.name);
		cella(tr, TIPI_NODO[n.kind] || n.kind);
		cella(tr, n.region);
		cella(tr, n.state_label);
		cella(tr, n.last_contact_s ? data(n.last_contact_s * 1000) : 'mai');
		cella(tr, String(n.refused));
		cella(tr, n.schema_version ? String(n.schema_version) : '-');
		corpo.append(tr);
	}
	el('nodi-vuoti').hidden = nodi.length !== 0;
}

// The allocation form: the partners of the "doti" table, each with
// what it has now.
function disegnaAssegnazione(doti) {
	const sel = el('assegna-partner');
	const prima = sel.value;
	sel.replaceChildren();
	if (!doti) return;
	doti.rows.keys.forEach((k, i) => {
		const o = document.createElement('option');
		o.value = k;
		o.textContent = doti.rows.labels[i];
		o.dataset.assegnate = doti.cells[i][1] === null ? '' : String(doti.cells[i][1]);
		sel.append(o);
	});
	if (prima) sel.value = prima;
	mostraAssegnate();
}

function mostraAssegnate() {
	const o = el('assegna-partner').selectedOptions[0];
	el('assegna-numero').value = o ? o.dataset.assegnate : '';
}

async function assegna(ev) {
	ev.preventDefault();
	const t = el('assegna-numero').value.trim();
	if (!/^[0-9]+$/.test(t)) {
		el('esito-assegnazione').textContent = 'Scrivi un numero intero di doti.';
		return el('assegna-numero').focus();
	}
	const r = await api('POST', '/api/allocation',
		{ partner: el('assegna-partner').value, allocated: Number(t) });
	if (r.status !== 200) {
		el('esito-assegnazione').textContent = messaggio(r);
		return;
	}
	await cruscotto();
	el('esito-assegnazione').textContent = 'Assegnazione salvata.';
}

async function cruscotto() {
	mostra('cruscotto');
	el('esito-cruscotto').textContent = 'Calcolo degli indicatori...';
	const r = await api('GET', '/api/dashboard');
	if (r.status !== 200) {
		el('esito-cruscotto').textContent = messaggio(r);
		return;
	}
	const rep = r.data.report;
	const tabelle = el('tabelle-cruscotto');
	tabelle.replaceChildren();
	for (const t of rep.tables) tabelle.append(disegnaTabella(t));
	disegnaNodi(r.data.nodes);
	disegnaAssegnazione(tabella(rep, 'doti'));
	el('esito-assegnazione').textContent = '';
	const conGrafici = await caricaChart();
	for (const [id, g] of Object.entries(datiGrafici(rep))) {
		el(id).closest('figure').hidden = !conGrafici;
		if (conGrafici) grafico(id, g.labels, g.serie, g.impila, g.asse);
	}
	el('esito-cruscotto').textContent = conGrafici
		? `Indicatori nazionali (soglia di riservatezza: ${rep.threshold}).`
		: 'Grafici non disponibili su questo server (manca libjs-chart.js): ' +
		  'restano le tabelle.';
}

document.addEventListener('DOMContentLoaded', () => {
	el('modulo-assegnazione').addEventListener('submit', assegna);
	el('assegna-partner').addEventListener('change', mostraAssegnate);
});
