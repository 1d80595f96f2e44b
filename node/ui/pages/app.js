// Presidio: the pages' script.  Talks to this node's API only (the CSP
// allows nothing else); keeps nothing in the browser's storage and puts
// nothing personal in a URL.  Every write carries the session's CSRF
// token in the X-Presidio-CSRF header.
'use strict';

const stato = { csrf: null };

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

function mostra(sezione) {
	el('accesso').hidden = sezione !== 'accesso';
	el('home').hidden = sezione !== 'home';
	el('esci').hidden = sezione === 'accesso';
}

function uscito(testo) {
	stato.csrf = null;
	el('chi').textContent = '';
	mostra('accesso');
	avviso(testo);
	el('operatore').focus();
}

async function home() {
	const r = await api('GET', '/api/status');
	if (r.status === 401) return uscito(messaggio(r));
	if (r.status !== 200) return avviso(messaggio(r));
	const s = r.data, sync = s.sync || {};
	el('nodo').textContent = 'Nodo ' + s.name;
	el('ultima-sync').textContent = sync.enrolled
		? (sync.last_sync && sync.last_sync !== 'never'
			? data(Date.parse(sync.last_sync)) : 'mai')
		: 'nodo non ancora registrato presso l\'Helpdesk';
	el('in-attesa').textContent = String(sync.pending ?? 0);
	el('conflitti').textContent = String(s.conflicted);
	el('rifiutate').textContent = String(s.rejected);
	el('schede').textContent = String(s.records);
	mostra('home');
}

async function sessione(r) {
	stato.csrf = r.data.csrf;
	el('chi').textContent = 'Operatore: ' + r.data.operator;
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
	const r = await api('GET', '/api/session');
	if (r.status === 200) return sessione(r);
	uscito(r.status === 401 && r.data && r.data.error &&
		r.data.error.message !== 'accesso richiesto'
		? messaggio(r) : '');
}

document.addEventListener('DOMContentLoaded', avvio);
