// Presidio: the case screen.  The case's fields, its BdI procedure as a
// timeline with the next steps (a step this node's role may not take has
// no button: its reason is shown instead), the records under it (services,
// PAI, profiles, the dote with its ledger and what is left of its cap,
// referrals...) grouped by kind, and forms to add one, drawn from the
// schema like every other form.  Where the case and each field stand with
// the Helpdesk is shown next to them (statoSync()).
// Uses app.js's helpers (api, el, mostra, collezione, valoreLeggibile).
'use strict';

const soldi = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' });

function euro(centesimi) {
	return soldi.format(centesimi / 100);
}

// A record's or a field's sync state ({state, label, reason}) as a badge.
function statoSync(s) {
	const span = document.createElement('span');
	if (!s) return span;
	span.className = 'sync sync-' + s.state;
	span.dataset.stato = s.state;
	span.textContent = s.label + (s.reason ? ': ' + s.reason : '');
	return span;
}

// The collections whose parent field names a record of collection nome.
async function figliDi(nome) {
	const s = await schema();
	if (!s) return [];
	return s.collections.filter((c) => {
		const pf = c.parent ? c.fields.find((f) => f.name === c.parent) : null;
		return pf && pf.ref === nome;
	});
}

function bottone(testo, fn) {
	const b = document.createElement('button');
	b.type = 'button';
	b.textContent = testo;
	b.addEventListener('click', fn);
	return b;
}

async function caso(id) {
	const r = await api('GET', '/api/cases/' + encodeURIComponent(id));
	if (r.status !== 200) return avviso(messaggio(r));
	const k = r.data, c = await collezione('case');
	stato.caso = id;
	el('titolo-caso').textContent = k.label || 'Caso';
	el('sync-caso').replaceChildren('Con l\'Helpdesk: ', statoSync(k.sync));
	const campi = el('campi-caso');
	campi.replaceChildren();
	const perCampo = (k.sync && k.sync.fields) || {};
	for (const f of c ? c.fields : []) {
		const v = k.fields[f.name];
		if (v === undefined || v === null || v === '' || f.type === 'ref') continue;
		const dt = document.createElement('dt');
		dt.textContent = f.label;
		const dd = document.createElement('dd');
		dd.textContent = valoreLeggibile(f, v) + ' ';
		if (perCampo[f.name] && perCampo[f.name].state !== 'hub')
			dd.append(statoSync(perCampo[f.name]));
		campi.append(dt, dd);
	}
	const bdi = k.bdi || {};
	el('fase-caso').textContent = bdi.stage_label || 'fuori dalla procedura';
	const crono = el('cronologia');
	crono.replaceChildren();
	for (const t of bdi.timeline || []) {
		const li = document.createElement('li');
		li.textContent = `${t.label}: ${t.at ? data(Date.parse(t.at)) : ''}`;
		crono.append(li);
	}
	const passi = el('passi');
	passi.replaceChildren();
	for (const p of bdi.next || []) {
		const li = document.createElement('li');
		if (p.allowed) {
			li.append(bottone('Passa a: ' + p.label, () => passo(id, p.to)));
		} else {
			const motivo = document.createElement('span');
			motivo.className = 'motivo';
			const perche = [];
			if (!p.role_ok)
				perche.push('lo può fare solo: ' + (p.roles || []).map(ruolo).join(', '));
			for (const m of p.missing || []) perche.push('manca ' + m);
			motivo.textContent = `${p.label}: non disponibile (${perche.join('; ')})`;
			li.append(motivo);
		}
		passi.append(li);
	}
	if (!passi.children.length) {
		const li = document.createElement('li');
		li.textContent = 'Nessun passo successivo.';
		passi.append(li);
	}
	await schedeDelCaso(k);
	mostra('caso');
}

// What a dote has used of its cap and what is left.
function budget(b) {
	const p = document.createElement('p');
	p.className = 'budget' + (b.over ? ' scaduta' : '');
	p.dataset.restano = b.remaining === null ? '' : String(b.remaining);
	p.textContent = b.remaining === null
		? 'Importi oltre il tetto: da rivedere.'
		: `Usati ${euro(b.used)} di ${euro(b.cap)}: restano ${euro(b.remaining)}` +
		  (b.over ? ' (tetto superato: da rivedere)' : '.');
	return p;
}

// The records under the case, one table per kind, in the schema's order.
async function schedeDelCaso(k) {
	const box = el('schede-caso');
	box.replaceChildren();
	const s = await schema();
	for (const c of s ? s.collections : []) {
		const righe = (k.children || []).filter((x) => x.collection === c.name);
		if (!righe.length) continue;
		const h = document.createElement('h3');
		h.textContent = c.label || c.name;
		const colonne = c.fields.filter((f) =>
			righe.some((x) => x.summary[f.name] !== undefined));
		const t = document.createElement('table');
		t.className = 'figli';
		t.dataset.raccolta = c.name;
		const cap = document.createElement('caption');
		cap.className = 'nascosto';
		cap.textContent = c.label || c.name;
		const testa = document.createElement('tr');
		for (const f of colonne) {
			const th = document.createElement('th');
			th.scope = 'col';
			th.textContent = f.label;
			testa.append(th);
		}
		testa.append(document.createElement('th'));
		const corpo = document.createElement('tbody');
		const sotto = await figliDi(c.name);
		for (const x of righe) {
			const tr = document.createElement('tr');
			for (const f of colonne)
				cella(tr, f.name.endsWith('_cents') && x.summary[f.name] !== undefined
					? euro(x.summary[f.name]) : valoreLeggibile(f, x.summary[f.name]));
			const azioni = cella(tr, '');
			azioni.append(bottone('Apri', () => scheda(x.id)));
			for (const g of sotto)
				azioni.append(' ', bottone('Aggiungi: ' + (g.label || g.name),
					() => nuovoFiglio(g, x.id, k.id)));
			for (const b of x.budgets || []) azioni.append(budget(b));
			corpo.append(tr);
		}
		const thead = document.createElement('thead');
		thead.append(testa);
		t.append(cap, thead, corpo);
		box.append(h, t);
	}
	if (!box.children.length) {
		const p = document.createElement('p');
		p.textContent = 'Nessuna scheda collegata al caso.';
		box.append(p);
	}
	const scelta = el('nuova-nel-caso');
	scelta.replaceChildren();
	for (const g of await figliDi('case')) {
		const o = document.createElement('option');
		o.value = g.name;
		o.textContent = g.label || g.name;
		scelta.append(o);
	}
}

// The form of a new record of collection g under parent (in case).
function nuovoFiglio(g, parent, idCaso) {
	avviso('');
	stato.figlio = { c: g, parent, caso: idCaso };
	el('titolo-figlio').textContent = 'Nuova scheda: ' + (g.label || g.name);
	el('aiuto-figlio').textContent = g.help || '';
	Moduli.disegna(el('modulo-figlio'), g, stato.ruolo, 'Salva');
	mostra('figlio');
}

async function salvaFiglio(ev) {
	ev.preventDefault();
	const { c, parent, caso: idCaso } = stato.figlio;
	const form = el('modulo-figlio');
	const { out, errori } = Moduli.valori(form, c);
	Moduli.mostraErrori(form, errori, avviso);
	if (Object.keys(errori).length) return;
	out[c.parent] = parent;
	const r = await api('POST', '/api/records', { collection: c.name, fields: out });
	if (r.status !== 201) {
		const e = {};
		e[Moduli.campoDi(messaggio(r)) || '_'] = messaggio(r);
		return Moduli.mostraErrori(form, e, avviso);
	}
	await caso(idCaso);
	avviso('Scheda salvata su questo nodo.');
}

async function aggiungiAlCaso() {
	const nome = el('nuova-nel-caso').value;
	const g = (await figliDi('case')).find((x) => x.name === nome);
	if (g && stato.caso) nuovoFiglio(g, stato.caso, stato.caso);
}

function ruolo(r) {
	return { hub: 'l\'Helpdesk', polo: 'un Polo', pda: 'un Punto di Accesso',
		attuatore: 'un soggetto attuatore' }[r] || r;
}

async function passo(id, verso) {
	const r = await api('POST', '/api/records/' + encodeURIComponent(id),
		{ fields: { bdi_stage: verso } });
	if (r.status !== 200) return avviso(messaggio(r));
	avviso('Passo registrato.');
	await caso(id);
}

document.addEventListener('DOMContentLoaded', () => {
	el('modulo-figlio').addEventListener('submit', salvaFiglio);
	el('aggiungi-al-caso').addEventListener('click', aggiungiAlCaso);
	el('torna-al-caso').addEventListener('click', () => caso(stato.figlio.caso));
	el('storia-caso').addEventListener('click', () => scheda(stato.caso));
});
