// Presidio: forms drawn from the schema's declarations (GET /api/schema):
// one control per field, by its type, with its Italian label, help and
// values, so that a field added to the schema appears with no new page
// code.  Dates are typed as gg/mm/aaaa and sent as the schema wants them
// (AAAA-MM-GG).  The server's refusal names the field ("campo 'x'"): its
// message goes next to that field.
'use strict';

const Moduli = (() => {
	// Fields a person does not type: set by the system or by a merge.
	const SALTA = new Set(['ref', 'datetime']);
	// The groups of fields the operator's role writes (the session's
	// access.write; schema/access.h): a form draws only those.
	let scrive = null;
	function accesso(a) { scrive = a && a.write ? new Set(a.write) : null; }

	function crea(tag, attrs, testo) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {}))
			if (v !== undefined && v !== null) e.setAttribute(k, v);
		if (testo !== undefined) e.textContent = testo;
		return e;
	}

	function controllo(c, f) {
		const id = `f-${c.name}-${f.name}`;
		const base = { id, name: f.name, 'aria-describedby': `${id}-aiuto ${id}-errore` };
		if (f.required) base.required = '';
		switch (f.type) {
		case 'text':
		case 'string_list':
			return crea('textarea', base);
		case 'enum': {
			const s = crea('select', base);
			s.append(crea('option', { value: '' }, '—'));
			for (const v of f.values || [])
				s.append(crea('option', { value: v.value }, v.label || v.value));
			return s;
		}
		case 'bool': {
			const s = crea('select', base);
			s.append(crea('option', { value: '' }, '—'),
				crea('option', { value: 'true' }, 'Sì'),
				crea('option', { value: 'false' }, 'No'));
			return s;
		}
		case 'enum_set': {
			const fs = crea('fieldset', { id, 'aria-describedby': `${id}-aiuto ${id}-errore` });
			for (const v of f.values || []) {
				const w = crea('label', {});
				const cb = crea('input', { type: 'checkbox', name: f.name, value: v.value });
				w.append(cb, ' ' + (v.label || v.value));
				fs.append(w, crea('br'));
			}
			return fs;
		}
		case 'int':
			return crea('input', { ...base, type: 'number', step: '1', inputmode: 'numeric' });
		case 'number':
			return crea('input', { ...base, type: 'number', step: 'any' });
		case 'date':
			return crea('input', { ...base, placeholder: 'gg/mm/aaaa', inputmode: 'numeric', maxlength: '10' });
		default:
			return crea('input', { ...base, spellcheck: 'false' });
		}
	}

	// Draw collection c's form into form (emptied), the fields the role
	// may write (hub-only ones only on the hub).
	function disegna(form, c, ruolo, etichettaInvio) {
		form.replaceChildren();
		for (const f of c.fields) {
			if (SALTA.has(f.type) || (f.hub_only && ruolo !== 'hub') ||
			    (scrive && f.group && !scrive.has(f.group)))
				continue;
			const id = `f-${c.name}-${f.name}`;
			const d = crea('div', { class: 'campo', 'data-campo': f.name });
			const l = crea('label', { for: id },
				f.label + (f.required ? ' (obbligatorio)' : ''));
			if (f.type === 'enum_set') l.removeAttribute('for');
			d.append(l, controllo(c, f),
				crea('p', { class: 'aiuto', id: `${id}-aiuto` }, f.help || ''),
				crea('p', { class: 'errore', id: `${id}-errore`, role: 'alert' }));
			form.append(d);
		}
		form.append(crea('button', { type: 'submit' }, etichettaInvio));
	}

	// gg/mm/aaaa (or AAAA-MM-GG) as AAAA-MM-GG, or null.
	function dataIso(t) {
		let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
		if (m) return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
		m = /^\d{4}-\d{2}-\d{2}$/.exec(t);
		return m ? t : null;
	}

	// The values typed, as the schema wants them; errors by field.
	function valori(form, c) {
		const out = {}, errori = {};
		for (const f of c.fields) {
			const d = form.querySelector(`[data-campo="${f.name}"]`);
			if (!d) continue;
			if (f.type === 'enum_set') {
				const v = [...d.querySelectorAll('input:checked')].map((x) => x.value);
				if (v.length) out[f.name] = v;
				continue;
			}
			const el = d.querySelector('input, select, textarea');
			const t = el.value.trim();
			if (!t) {
				if (f.required) errori[f.name] = 'campo obbligatorio';
				continue;
			}
			switch (f.type) {
			case 'int': out[f.name] = Number.parseInt(t, 10); break;
			case 'number': out[f.name] = Number(t); break;
			case 'bool': out[f.name] = t === 'true'; break;
			case 'string_list':
				out[f.name] = t.split('\n').map((x) => x.trim()).filter(Boolean);
				break;
			case 'date': {
				const iso = dataIso(t);
				if (iso) out[f.name] = iso;
				else errori[f.name] = 'una data come 31/12/1990';
				break;
			}
			default: out[f.name] = t;
			}
		}
		return { out, errori };
	}

	// Show errors (by field name) next to their fields; the first
	// field in error gets the focus.  A message naming no field shown
	// goes to generale.
	function mostraErrori(form, errori, generale) {
		for (const p of form.querySelectorAll('.campo .errore')) p.textContent = '';
		let primo = null;
		for (const [nome, testo] of Object.entries(errori)) {
			const d = form.querySelector(`[data-campo="${nome}"]`);
			if (!d) { if (generale) generale(testo); continue; }
			d.querySelector('.errore').textContent = testo;
			primo = primo || d.querySelector('input, select, textarea');
		}
		if (primo) primo.focus();
	}

	// The field a server message names ("campo 'x'", "field 'x'").
	function campoDi(messaggio) {
		const m = /(?:campo|field) '([a-z0-9_]+)'/.exec(messaggio || '');
		return m ? m[1] : null;
	}

	// Put a record's values into form (drawn by disegna() for c), as
	// the controls show them.
	function riempi(form, c, campi) {
		for (const f of c.fields) {
			const d = form.querySelector(`[data-campo="${f.name}"]`);
			const v = campi[f.name];
			if (!d || v === undefined || v === null) continue;
			if (f.type === 'enum_set') {
				for (const cb of d.querySelectorAll('input'))
					cb.checked = Array.isArray(v) && v.includes(cb.value);
				continue;
			}
			const el = d.querySelector('input, select, textarea');
			if (f.type === 'date') el.value = /^\d{4}-\d{2}-\d{2}$/.test(v)
				? `${v.slice(8, 10)}/${v.slice(5, 7)}/${v.slice(0, 4)}` : v;
			else if (f.type === 'string_list') el.value = Array.isArray(v) ? v.join('\n') : v;
			else el.value = String(v);
		}
	}

	// What differs between the values typed (valori().out) and the
	// record's: changed or new values, and null for a value emptied.
	function cambiati(c, prima, dopo) {
		const out = {};
		for (const f of c.fields) {
			const a = prima[f.name], b = dopo[f.name];
			if (b === undefined) {
				if (a !== undefined && a !== null && !f.required &&
				    !(Array.isArray(a) && !a.length)) out[f.name] = null;
			} else if (JSON.stringify(a) !== JSON.stringify(b)) {
				out[f.name] = b;
			}
		}
		return out;
	}

	return { accesso, disegna, valori, mostraErrori, campoDi, dataIso, riempi, cambiati };
})();
