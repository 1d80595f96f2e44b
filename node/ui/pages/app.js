// Presidio: the pages' script.  Talks to this node's API only (the CSP
// allows nothing else); keeps nothing in the browser's storage and puts
// nothing personal in a URL (searches go in POST bodies).  Every write
// carries the session's CSRF token in the X-Presidio-CSRF header.
'use strict';

const stato = { csrf: null, ruolo: null, schema: null, nuova: null, nodo: null,
	caso: null, figlio: null, scheda: null, indice: false, accesso: null };

function el(id) { return document.getElementById(id); }

async function api(method, path, body) {
	const init = { method, headers: {}, credentials: 'same-origin',
		cache: 'no-store' };
	if (body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (method !== 'GET' && stato.csrf)
		init.headers['X-Presidio-CSRF'] = stato.csrf;
	const r = await fetch(path, init);
	let data = null;
	try { data = await r.json(); } catch (e) { data = null; }
	if (r.status === 401 && stato.csrf)
		uscito(data && data.error ? data.error.message : '');
	return { status: r.status, data };
}

function messaggio(r) {
	return r.data && r.data.error ? r.data.error.message
		: 'errore ' + r.status;
}

function avviso(testo) {
	const a = el('avviso');
	a.textContent = testo || '';
	a.hidden = !testo;
}

function data(ms) {
	if (!ms) return 'mai';
	const d = new Date(ms);
	const p = (n) => String(n).padStart(2, '0');
	return p(d.getDate()) + '/' + p(d.getMonth() + 1) + '/' + d.getFullYear() +
		' ' + p(d.getHours()) + ':' + p(d.getMinutes());
}

// AAAA-MM-GG as gg/mm/aaaa; anything else as it is.
function giorno(iso) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
	return m ? `${m[3]}/${m[2]}/${m[1]}` : (iso || '');
}

const SEZIONI = ['accesso', 'home', 'persone', 'scheda', 'nuova', 'revisione', 'caso',
	'figlio', 'cruscotto', 'modifica', 'registro'];

function mostra(sezione) {
	for (const s of SEZIONI) el(s).hidden = s !== sezione;
	const dentro = sezione !== 'accesso';
	el('esci').hidden = !dentro;
	el('menu').hidden = !dentro;
	for (const b of document.querySelectorAll('#menu button')) {
		if (b.dataset.vai === sezione) b.setAttribute('aria-current', 'page');
		else b.removeAttribute('aria-current');
	}
	const h = el(sezione).querySelector('h1');
	if (h) { h.tabIndex = -1; h.focus(); }
}

function uscito(testo) {
	stato.csrf = null;
	stato.schema = null;
	stato.caso = null;
	stato.figlio = null;
	stato.scheda = null;
	stato.indice = false;
	el('chi').textContent = '';
	mostra('accesso');
	avviso(testo);
	el('operatore').focus();
}

// ---- home ----

async function home() {
	const r = await api('GET', '/api/status');
	if (r.status !== 200) return avviso(messaggio(r));
	const s = r.data, sync = s.sync || {};
	el('nodo').textContent = 'Nodo ' + s.name;
	stato.nodo = s.id;
	el('ultima-sync').textContent = sync.enrolled
		? (sync.last_sync && sync.last_sync !== 'never'
			? data(Date.parse(sync.last_sync)) : 'mai')
		: 'nodo non ancora registrato presso l\'Helpdesk';
	el('in-attesa').textContent = String(sync.pending ?? 0);
	el('conflitti').textContent = String(s.conflicted);
	el('n-conflitti').textContent = s.conflicted ? `(${s.conflicted})` : '';
	el('rifiutate').textContent = String(s.rejected);
	el('schede').textContent = String(s.records);
	// A node that has not reached the Helpdesk for a day says so,
	// without waiting for an operator to try.
	const ultima = sync.last_sync && sync.last_sync !== 'never';
	const vecchia = Boolean(sync.stale);
	el('sync-vecchia').hidden = !vecchia;
	if (vecchia)
		el('sync-vecchia').textContent = ultima
			? 'Nessuna sincronizzazione con l\'Helpdesk da più di 24 ore: ' +
			  (sync.pending ? `${sync.pending} modifiche aspettano qui. ` : '') +
			  'Usa "Sincronizza ora" quando la rete c\'è.'
			: 'Questo nodo non si è ancora sincronizzato con l\'Helpdesk: ' +
			  'usa "Sincronizza ora".';
	await inizio();
	mostra('home');
	// The person index is built once a session, in about a second at
	// 50,000 persons: while the operator reads this page, not at the
	// first search.
	if (!stato.indice) {
		stato.indice = true;
		api('GET', '/api/persons/index');
	}
}

// "Sincronizza ora": one round with the Helpdesk while the operator waits.
async function sincronizza() {
	const b = el('sincronizza');
	b.disabled = true;
	el('esito-sync').textContent = 'Sincronizzazione in corso...';
	const r = await api('POST', '/api/sync');
	b.disabled = false;
	if (r.status === 200) {
		const d = r.data;
		el('esito-sync').textContent = `Sincronizzazione completata: ` +
			`${d.pushed} modifiche inviate, ${d.pulled} ricevute` +
			(d.refused ? `, ${d.refused} rifiutate dall'Helpdesk` : '') + '.';
		avviso('');
		return home();
	}
	el('esito-sync').textContent = '';
	// The banner: the hub cannot be reached, nothing is lost.
	avviso(messaggio(r));
}

// Cases by stage and the deadlines, on the home page.
async function inizio() {
	const r = await api('GET', '/api/home');
	if (r.status !== 200) return avviso(messaggio(r));
	const c = r.data.cases;
	el('casi-totale').textContent = c.total === 1 ? '1 caso su questo nodo.'
		: `${c.total} casi su questo nodo.`;
	for (const [id, righe] of [['casi-fase', c.by_stage], ['casi-bdi', c.by_bdi_stage]]) {
		const tb = el(id).querySelector('tbody');
		tb.replaceChildren();
		for (const x of righe) {
			const tr = document.createElement('tr');
			cella(tr, x.label);
			cella(tr, String(x.count));
			tb.append(tr);
		}
	}
	const tb = el('scadenze').querySelector('tbody');
	tb.replaceChildren();
	for (const d of r.data.deadlines) {
		const tr = document.createElement('tr');
		const td = cella(tr, giorno(d.date) + (d.late ? ' (scaduta)' : ''));
		if (d.late) td.className = 'scaduta';
		cella(tr, d.label);
		cella(tr, d.person ? d.person.name : '');
		const b = document.createElement('button');
		b.type = 'button';
		b.textContent = 'Apri';
		b.addEventListener('click', () => scheda(d.id));
		cella(tr, '').append(b);
		tb.append(tr);
	}
	el('scadenze').hidden = r.data.deadlines.length === 0;
	el('scadenze-vuote').hidden = r.data.deadlines.length !== 0;
}

// ---- persons ----

async function schema() {
	if (stato.schema) return stato.schema;
	const r = await api('GET', '/api/schema');
	if (r.status !== 200) { avviso(messaggio(r)); return null; }
	stato.schema = r.data;
	return stato.schema;
}

async function collezione(nome) {
	const s = await schema();
	return s ? s.collections.find((c) => c.name === nome) : null;
}

function cella(riga, testo) {
	const td = document.createElement('td');
	td.textContent = testo;
	riga.append(td);
	return td;
}

async function cerca(ev) {
	ev.preventDefault();
	const q = {};
	const nome = el('cerca-nome').value.trim();
	const nascita = el('cerca-nascita').value.trim();
	const citt = el('cerca-cittadinanza').value.trim().toUpperCase();
	if (nome) q.name = nome;
	if (nascita) q.birth = nascita;
	if (citt) q.nationality = citt;
	const r = await api('POST', '/api/persons/search', q);
	const corpo = el('risultati').querySelector('tbody');
	corpo.replaceChildren();
	if (r.status !== 200) {
		el('esito-ricerca').textContent = messaggio(r);
		el('risultati').hidden = true;
		return;
	}
	const n = r.data.count;
	el('esito-ricerca').textContent = n === 0 ? 'Nessuna persona trovata.'
		: n === 1 ? '1 persona trovata.' : `${n} persone trovate.`;
	for (const h of r.data.hits) {
		const tr = document.createElement('tr');
		cella(tr, `${h.family_name} ${h.given_name}` +
			(h.merged ? ` (${h.merged} schede unite)` : ''));
		cella(tr, giorno(h.birth_date));
		cella(tr, h.nationality);
		const b = document.createElement('button');
		b.type = 'button';
		b.textContent = 'Apri la scheda';
		b.addEventListener('click', () => scheda(h.id));
		cella(tr, '').append(b);
		corpo.append(tr);
	}
	el('risultati').hidden = n === 0;
}

function valoreLeggibile(f, v) {
	if (v === null || v === undefined) return '';
	if (f && f.type === 'date') return giorno(v);
	if (f && f.type === 'bool') return v ? 'Sì' : 'No';
	if (f && (f.type === 'enum' || f.type === 'enum_set')) {
		const lab = (x) => ((f.values || []).find((y) => y.value === x) || {}).label || x;
		return Array.isArray(v) ? v.map(lab).join(', ') : lab(v);
	}
	return Array.isArray(v) ? v.join(', ') : String(v);
}

async function scheda(id) {
	const r = await api('GET', '/api/records/' + encodeURIComponent(id));
	if (r.status !== 200) return avviso(messaggio(r));
	const c = await collezione(r.data.collection);
	const campi = el('campi-scheda');
	campi.replaceChildren();
	const storia = el('storia').querySelector('tbody');
	storia.replaceChildren();
	el('titolo-scheda').textContent = c ? c.label : 'Scheda';
	el('sync-scheda').replaceChildren('Con l\'Helpdesk: ', statoSync(r.data.sync));
	el('scheda-al-caso').hidden = !stato.caso || r.data.collection === 'person';
	const perCampo = (r.data.sync && r.data.sync.fields) || {};
	const legge = stato.accesso ? new Set(stato.accesso.read) : null;
	let riservati = 0;
	for (const f of c ? c.fields : []) {
		const v = r.data.fields[f.name];
		// A field the role may not read comes without its value: say
		// so when the record holds one (it has a version).
		if (legge && f.group && !legge.has(f.group)) {
			if (!(r.data.versions || {})[f.name]) continue;
			const dt = document.createElement('dt');
			dt.textContent = f.label;
			const dd = document.createElement('dd');
			dd.className = 'riservato';
			// Under an emergency access the value came: show it.
			if (v !== undefined) {
				dd.textContent = valoreLeggibile(f, v) + ' (accesso di emergenza)';
			} else {
				dd.textContent = 'Riservato: non visibile al ruolo ' +
					stato.accesso.label;
				riservati++;
			}
			campi.append(dt, dd);
			continue;
		}
		if (v === undefined || v === null || v === '') continue;
		const dt = document.createElement('dt');
		dt.textContent = f.label;
		const dd = document.createElement('dd');
		dd.textContent = valoreLeggibile(f, v);
		campi.append(dt, dd);
		const ver = (r.data.versions || {})[f.name];
		if (ver) {
			const tr = document.createElement('tr');
			cella(tr, f.label);
			cella(tr, ver.operator || '');
			cella(tr, ver.time ? data(Date.parse(ver.time)) : '');
			cella(tr, ver.node === stato.nodo ? 'questo nodo'
				: (ver.node || '').slice(0, 8));
			cella(tr, '').append(statoSync(perCampo[f.name]));
			storia.append(tr);
		}
	}
	stato.scheda = r.data;
	el('emergenza').hidden = riservati === 0;
	el('errore-emergenza').textContent = '';
	await casiDi(r.data);
	mostra('scheda');
}

// ---- editing a record: the form of its collection, filled in ----

async function modifica() {
	const rec = stato.scheda;
	const c = rec ? await collezione(rec.collection) : null;
	if (!c) return;
	avviso('');
	el('titolo-modifica').textContent = 'Modifica: ' + (c.label || c.name);
	const form = el('modulo-modifica');
	Moduli.disegna(form, c, stato.ruolo, 'Salva le modifiche');
	Moduli.riempi(form, c, rec.fields);
	mostra('modifica');
}

async function salvaModifica(ev) {
	ev.preventDefault();
	const rec = stato.scheda, c = await collezione(rec.collection);
	const form = el('modulo-modifica');
	const { out, errori } = Moduli.valori(form, c);
	Moduli.mostraErrori(form, errori, avviso);
	if (Object.keys(errori).length) return;
	// Fields the form does not show (references, the hub's) stay as
	// they are: only what the operator changed is sent.
	for (const f of c.fields)
		if (!form.querySelector(`[data-campo="${f.name}"]`)) delete out[f.name];
	const shown = { ...rec.fields };
	for (const f of c.fields)
		if (!form.querySelector(`[data-campo="${f.name}"]`)) delete shown[f.name];
	const campi = Moduli.cambiati(c, shown, out);
	if (!Object.keys(campi).length) return avviso('Nessuna modifica da salvare.');
	const r = await api('POST', '/api/records/' + encodeURIComponent(rec.id), { fields: campi });
	if (r.status !== 200) {
		const e = {};
		e[Moduli.campoDi(messaggio(r)) || '_'] = messaggio(r);
		return Moduli.mostraErrori(form, e, avviso);
	}
	await scheda(rec.id);
	avviso('Modifiche salvate su questo nodo.');
}

// The cases of a person, under their scheda.
async function casiDi(rec) {
	const box = el('casi-persona'), ul = el('lista-casi');
	ul.replaceChildren();
	box.hidden = true;
	if (rec.collection !== 'person') return;
	const r = await api('POST', '/api/cases/of-person', { person: rec.id });
	if (r.status !== 200 || !r.data.cases.length) return;
	const c = await collezione('case');
	const fase = c ? c.fields.find((f) => f.name === 'bdi_stage') : null;
	for (const k of r.data.cases) {
		const li = document.createElement('li');
		const st = k.fields.bdi_stage;
		li.textContent = 'Caso' + (st ? ' — ' + valoreLeggibile(fase, st) : '') + ' ';
		const b = document.createElement('button');
		b.type = 'button';
		b.textContent = 'Apri il caso';
		b.addEventListener('click', () => caso(k.id));
		li.append(b);
		ul.append(li);
	}
	box.hidden = false;
}

async function nuova() {
	const c = await collezione('person');
	if (!c) return;
	stato.nuova = c;
	Moduli.disegna(el('modulo-persona'), c, stato.ruolo, 'Registra');
	el('doppioni').hidden = true;
	mostra('nuova');
}

function mostraDoppioni(lista, forti) {
	const ul = el('doppioni-lista');
	ul.replaceChildren();
	for (const d of lista) {
		const li = document.createElement('li');
		li.textContent = `${d.family_name} ${d.given_name}` +
			(d.birth_date ? `, nata/o il ${giorno(d.birth_date)}` : '') +
			` (${d.why.join(', ')}) `;
		const b = document.createElement('button');
		b.type = 'button';
		b.textContent = 'Apri la scheda';
		b.addEventListener('click', () => scheda(d.id));
		li.append(b);
		ul.append(li);
	}
	el('doppioni-testo').textContent = forti
		? 'Persona NON registrata: una scheda molto simile esiste già. ' +
		  'Controlla le schede indicate.'
		: 'Persona registrata. Attenzione, potrebbe essere già presente:';
	el('conferma-nuova').hidden = !forti;
	el('doppioni').hidden = lista.length === 0;
	el('doppioni').scrollIntoView();
	el('doppioni-testo').focus();
}

async function registra(ev, forza) {
	if (ev) ev.preventDefault();
	const c = stato.nuova, form = el('modulo-persona');
	const { out, errori } = Moduli.valori(form, c);
	Moduli.mostraErrori(form, errori, avviso);
	if (Object.keys(errori).length) return;
	const body = { fields: out };
	if (forza) body.force = true;
	const r = await api('POST', '/api/persons', body);
	if (r.status === 409 && r.data.duplicates)
		return mostraDoppioni(r.data.duplicates, true);
	if (r.status !== 201) {
		const campo = Moduli.campoDi(messaggio(r));
		const e = {};
		e[campo || '_'] = messaggio(r);
		return Moduli.mostraErrori(form, e, avviso);
	}
	await scheda(r.data.id);
	avviso(r.data.duplicates && r.data.duplicates.length
		? 'Persona registrata. Attenzione: potrebbe essere già presente ' +
		  'in un\'altra scheda (cercala per nome).'
		: 'Persona registrata.');
}

// ---- the review queue ----

function nodoLeggibile(id) {
	return id === stato.nodo ? 'questo nodo' : 'nodo ' + (id || '').slice(0, 8);
}

function candidato(titolo, f, c, quale, conflitto) {
	const d = document.createElement('div');
	d.className = 'candidato';
	const h = document.createElement('h3');
	h.textContent = titolo;
	const v = document.createElement('p');
	v.className = 'valore';
	v.textContent = valoreLeggibile(f, c.value) || '(vuoto)';
	const chi = document.createElement('p');
	chi.className = 'chi';
	chi.textContent = `scritto da ${c.operator || '?'}, ${nodoLeggibile(c.node)}, ` +
		`il ${c.time ? data(Date.parse(c.time)) : '?'}`;
	const b = document.createElement('button');
	b.type = 'button';
	b.textContent = 'Tieni questo valore';
	b.addEventListener('click', () => risolvi({ record: conflitto.record,
		field: conflitto.field, pick: quale }));
	d.append(h, v, chi, b);
	return d;
}

async function revisione() {
	const r = await api('GET', '/api/conflicts');
	if (r.status !== 200) return avviso(messaggio(r));
	const lista = el('lista-conflitti');
	lista.replaceChildren();
	const n = r.data.count;
	el('esito-revisione').textContent = n === 0
		? 'Niente da rivedere.' : n === 1 ? '1 scheda da rivedere.'
		: `${n} questioni da rivedere.`;
	el('n-conflitti').textContent = n ? `(${n})` : '';
	for (const k of r.data.conflicts) {
		const c = await collezione(k.collection);
		const f = c ? c.fields.find((x) => x.name === k.field) : null;
		const box = document.createElement('article');
		box.className = 'conflitto';
		const h = document.createElement('h2');
		h.textContent = (c ? c.label : k.collection) +
			(f ? ' — ' + f.label : '');
		box.append(h);
		if (k.kind === 'field' && k.current && k.other) {
			const cc = document.createElement('div');
			cc.className = 'candidati';
			cc.append(candidato('Valore in vigore', f, k.current, 1, k),
				candidato('Altro valore', f, k.other, k.pick, k));
			box.append(cc);
			const nv = document.createElement('form');
			nv.className = 'nuovo-valore';
			const id = `nuovo-${k.record}-${k.field}`;
			const l = document.createElement('label');
			l.htmlFor = id;
			l.textContent = 'Oppure un valore nuovo';
			const i = document.createElement('input');
			i.id = id;
			const b = document.createElement('button');
			b.type = 'submit';
			b.textContent = 'Salva il valore nuovo';
			nv.append(l, i, b);
			nv.addEventListener('submit', (ev) => {
				ev.preventDefault();
				let v = i.value.trim();
				if (f && f.type === 'date') v = Moduli.dataIso(v) || v;
				if (f && (f.type === 'int' || f.type === 'number')) v = Number(v);
				risolvi({ record: k.record, field: k.field, value: v });
			});
			box.append(nv);
		} else if (k.kind === 'delete') {
			const p = document.createElement('p');
			p.textContent = 'Un nodo ha cancellato la scheda mentre un altro la modificava.';
			const keep = document.createElement('button');
			keep.type = 'button';
			keep.textContent = 'Tieni cancellata';
			keep.addEventListener('click', () => risolvi({ record: k.record, deleted: 'keep' }));
			const und = document.createElement('button');
			und.type = 'button';
			und.textContent = 'Ripristina con le modifiche';
			und.addEventListener('click', () => risolvi({ record: k.record, deleted: 'undelete' }));
			box.append(p, keep, ' ', und);
		} else {
			const p = document.createElement('p');
			p.textContent = 'Una regola non è rispettata: ' + (k.reason || '') +
				'. Si risolve correggendo le schede interessate.';
			box.append(p);
		}
		const apri = document.createElement('button');
		apri.type = 'button';
		apri.textContent = 'Apri la scheda';
		apri.addEventListener('click', () => scheda(k.record));
		box.append(document.createElement('p'), apri);
		lista.append(box);
	}
	mostra('revisione');
}

// ---- break-the-glass and the audit trail ----

async function emergenza(ev) {
	ev.preventDefault();
	const motivo = el('motivo-emergenza').value;
	if (!motivo) {
		el('errore-emergenza').textContent = 'Scegli il motivo.';
		return;
	}
	const id = stato.scheda.id;
	const r = await api('POST', '/api/records/' + encodeURIComponent(id) + '/emergency',
		{ reason: motivo, minutes: 30 });
	if (r.status !== 200) {
		el('errore-emergenza').textContent = messaggio(r);
		return;
	}
	el('motivo-emergenza').value = '';
	await scheda(id);
	avviso('Accesso di emergenza fino alle ' +
		new Date(r.data.until).toLocaleTimeString('it-IT', { hour: '2-digit', minute: '2-digit' }) +
		': resta nel registro degli accessi.');
}

const AZIONI = { read: 'lettura', history: 'storia', export: 'esportazione',
	create: 'creazione', update: 'modifica', delete: 'eliminazione',
	resolve: 'scelta su un conflitto', glass: 'accesso di emergenza',
	list: 'elenco', log: 'registro delle modifiche' };
const MOTIVI = { presa_in_carico: 'presa in carico', rendicontazione: 'rendicontazione',
	urgenza_sicurezza: 'urgenza per la sicurezza', necessita_sanitaria: 'necessità sanitaria',
	richiesta_autorita: 'richiesta dell\'autorità',
	continuita_presa_in_carico: 'continuità della presa in carico' };

async function registro() {
	const solo = el('solo-emergenze').checked;
	const r = await api('GET', '/api/audit' + (solo ? '?emergenza=1' : ''));
	if (r.status !== 200) return avviso(messaggio(r));
	const corpo = el('tabella-registro').querySelector('tbody');
	corpo.replaceChildren();
	for (const a of r.data.entries.slice().reverse()) {
		const tr = document.createElement('tr');
		if (a.emergency) tr.className = 'emergenza';
		cella(tr, data(a.time));
		cella(tr, a.operator);
		cella(tr, a.role);
		cella(tr, (AZIONI[a.action] || a.action) + (a.emergency ? ' (EMERGENZA)' : ''));
		cella(tr, a.record ? (a.collection_label || a.collection || '') + ' ' + a.record.slice(0, 8)
			: (a.collection_label || '') + (a.count > 1 ? ` (${a.count} schede)` : ''));
		cella(tr, MOTIVI[a.purpose] || a.purpose.replaceAll('_', ' '));
		corpo.append(tr);
	}
	mostra('registro');
}

async function risolvi(corpo) {
	const r = await api('POST', '/api/conflicts/settle', corpo);
	if (r.status !== 200) return avviso(messaggio(r));
	avviso('Scelta salvata: arriverà agli altri nodi con la prossima sincronizzazione.');
	await revisione();
}

// ---- sessions ----

async function sessione(r) {
	stato.csrf = r.data.csrf;
	stato.ruolo = r.data.role;
	stato.accesso = r.data.access || null;
	Moduli.accesso(stato.accesso);
	el('menu-cruscotto').hidden = r.data.role !== 'hub';
	el('menu-registro').hidden = !(stato.accesso &&
		['coordinatore', 'focal_point'].includes(stato.accesso.role));
	el('chi').textContent = 'Operatore: ' + r.data.operator +
		(stato.accesso ? ` (${stato.accesso.label})` : '');
	el('nodo').textContent = 'Nodo ' + r.data.node;
	avviso('');
	await home();
}

async function entra(ev) {
	ev.preventDefault();
	const op = el('operatore').value.trim();
	const pass = el('passphrase');
	el('errore-accesso').textContent = 'Verifica in corso...';
	const r = await api('POST', '/api/session',
		{ operator: op, passphrase: pass.value });
	pass.value = '';
	if (r.status !== 200) {
		el('errore-accesso').textContent = messaggio(r);
		return;
	}
	el('errore-accesso').textContent = '';
	await sessione(r);
}

async function esci() {
	await api('DELETE', '/api/session');
	uscito('Sei uscito: le chiavi della sessione sono state cancellate.');
}

async function avvio() {
	el('modulo-accesso').addEventListener('submit', entra);
	el('esci').addEventListener('click', esci);
	el('scheda-al-caso').addEventListener('click', () => caso(stato.caso));
	el('modifica-scheda').addEventListener('click', modifica);
	el('modulo-modifica').addEventListener('submit', salvaModifica);
	el('annulla-modifica').addEventListener('click', () => scheda(stato.scheda.id));
	el('sincronizza').addEventListener('click', sincronizza);
	el('emergenza').addEventListener('submit', emergenza);
	el('solo-emergenze').addEventListener('change', registro);
	el('modulo-cerca').addEventListener('submit', cerca);
	el('modulo-persona').addEventListener('submit', (ev) => registra(ev, false));
	el('conferma-nuova').addEventListener('click', () => registra(null, true));
	for (const b of document.querySelectorAll('#menu button'))
		b.addEventListener('click', () => {
			avviso('');
			if (b.dataset.vai === 'home') home();
			else if (b.dataset.vai === 'nuova') nuova();
			else if (b.dataset.vai === 'revisione') revisione();
			else if (b.dataset.vai === 'cruscotto') cruscotto();
			else if (b.dataset.vai === 'registro') registro();
			else mostra(b.dataset.vai);
		});
	const r = await api('GET', '/api/session');
	if (r.status === 200) return sessione(r);
	uscito(r.status === 401 && r.data && r.data.error &&
		r.data.error.message !== 'accesso richiesto'
		? messaggio(r) : '');
}

document.addEventListener('DOMContentLoaded', avvio);
