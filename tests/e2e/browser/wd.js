// tests/e2e/browser/wd.js - the browser tests' WebDriver client: the W3C
// WebDriver protocol (plain HTTP and JSON) spoken to Debian's chromedriver,
// which drives Debian's headless Chromium.  Node's own fetch, no package:
// the tests need nothing beyond what apt-get installs.
//
//   const wd = require('./wd');
//   const b = await wd.open(DRIVER_URL, { shots: DIR });
//   await b.go(URL); await b.type('#operatore', 'alice');
//   await b.click('button[type=submit]'); await b.waitText('#chi', 'alice');
//   await b.shot('home'); await b.close();
//
// Every wait has a deadline (default 10 s) and fails with what it waited
// for; a test never hangs.
'use strict';

const fs = require('fs');
const path = require('path');

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function call(base, method, p, body) {
	const r = await fetch(base + p, {
		method,
		headers: { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const data = await r.json();
	if (!r.ok || (data.value && data.value.error))
		throw new Error(`${method} ${p}: ${data.value && data.value.message
			? data.value.message.split('\n')[0] : r.status}`);
	return data.value;
}

function sleep(ms) { return new Promise((res) => setTimeout(res, ms)); }

class Browser {
	constructor(driver, id, opts) {
		this.base = `${driver}/session/${id}`;
		this.driver = driver;
		this.id = id;
		this.shots = opts.shots || null;
		this.timeout = opts.timeout || 10000;
	}

	s(method, p, body) { return call(this.base, method, p, body); }

	go(url) { return this.s('POST', '/url', { url }); }

	url() { return this.s('GET', '/url'); }

	title() { return this.s('GET', '/title'); }

	// The first element matching css, or null.
	async find(css) {
		const all = await this.s('POST', '/elements',
			{ using: 'css selector', value: css });
		return all.length ? all[0][ELEMENT] : null;
	}

	// fn's value, or dflt when the element it reads was replaced in
	// between (the page draws its lists again): the caller looks again.
	async alive(fn, dflt = false) {
		try {
			return await fn();
		} catch (e) {
			if (/stale element/.test(e.message)) return dflt;
			throw e;
		}
	}

	// Wait until css matches a displayed element; its id.
	async wait(css, what) {
		const end = Date.now() + this.timeout;
		for (;;) {
			const el = await this.find(css);
			if (el && await this.alive(() =>
				this.s('GET', `/element/${el}/displayed`)))
				return el;
			if (Date.now() > end)
				throw new Error(`no visible ${what || css}`);
			await sleep(50);
		}
	}

	async text(css) {
		const el = await this.wait(css);
		return this.s('GET', `/element/${el}/text`);
	}

	// Wait until the text of css contains want (a string or a RegExp).
	async waitText(css, want) {
		const end = Date.now() + this.timeout;
		let last = '';
		for (;;) {
			const el = await this.find(css);
			last = el ? await this.alive(() =>
				this.s('GET', `/element/${el}/text`), '') : '';
			if (typeof want === 'string' ? last.includes(want)
				: want.test(last))
				return last;
			if (Date.now() > end)
				throw new Error(`${css} shows '${last}', not '${want}'`);
			await sleep(50);
		}
	}

	// The window's size in CSS pixels (the viewport of a laptop, a
	// tablet...).
	size(width, height) {
		return this.s('POST', '/window/rect', { width, height });
	}

	// Press keys on whatever has the focus (WebDriver key codes, e.g.
	// '\uE004' Tab, '\uE007' Enter), one after the other.
	keys(...codes) {
		const actions = [];
		for (const value of codes)
			actions.push({ type: 'keyDown', value }, { type: 'keyUp', value });
		return this.s('POST', '/actions', { actions: [{ type: 'key', id: 'tastiera', actions }] });
	}

	async type(css, keys) {
		const el = await this.wait(css);
		await this.s('POST', `/element/${el}/clear`, {});
		return this.s('POST', `/element/${el}/value`, { text: keys });
	}

	async click(css) {
		const end = Date.now() + this.timeout;
		for (;;) {
			const el = await this.wait(css);
			const done = await this.alive(async () => {
				await this.s('POST', `/element/${el}/click`, {});
				return true;
			});
			if (done) return;
			if (Date.now() > end) throw new Error(`${css} kept being replaced`);
		}
	}

	// Run a script in the page (sync); its value.
	run(script, ...args) {
		return this.s('POST', '/execute/sync', { script, args });
	}

	// Run an async script in the page: it calls its last argument with
	// the result.
	runAsync(script, ...args) {
		return this.s('POST', '/execute/async', { script, args });
	}

	// A PNG of the page under the shots folder, named NAME.png.
	async shot(name) {
		if (!this.shots)
			return null;
		const png = await this.s('GET', '/screenshot');
		fs.mkdirSync(this.shots, { recursive: true });
		const f = path.join(this.shots, `${name}.png`);
		fs.writeFileSync(f, Buffer.from(png, 'base64'));
		return f;
	}

	async close() {
		try { await call(this.driver, 'DELETE', `/session/${this.id}`); }
		catch (e) { /* the driver may be gone already */ }
	}
}

// A new headless Chromium (a fresh profile in profileDir) behind the
// chromedriver listening at driver.
async function open(driver, opts = {}) {
	const args = ['--headless=new', '--no-sandbox', '--disable-gpu',
		'--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update',
		'--disable-sync', '--disable-dev-shm-usage',
		'--window-size=1366,768'];
	if (opts.profileDir)
		args.push(`--user-data-dir=${opts.profileDir}`);
	if (opts.insecureCerts)
		args.push('--ignore-certificate-errors');
	const v = await call(driver, 'POST', '/session', {
		capabilities: { alwaysMatch: {
			browserName: 'chrome',
			acceptInsecureCerts: !!opts.insecureCerts,
			'goog:chromeOptions': {
				binary: opts.binary || '/usr/bin/chromium', args,
			},
		} },
	});
	return new Browser(driver, v.sessionId, opts);
}

// Run the named async tests in order, each printing "ok NAME" or
// "FAIL NAME: reason" (tests/e2e/lib.sh's lines); returns the failures.
async function runTests(tests) {
	let failed = 0;
	for (const [name, fn] of tests) {
		try {
			await fn();
			console.log(`ok ${name}`);
		} catch (e) {
			failed++;
			console.log(`FAIL ${name}: ${String(e.message || e)
				.split('\n')[0]}`);
		}
	}
	return failed;
}

// A browser test script: node SCRIPT DRIVER_URL UI_URL PASSPHRASE
// SHOTS_DIR PROFILE_DIR.  build(b, { ui, pass }) gives the tests, run
// against a new browser b; exits 1 when one fails.
async function script(build) {
	const [driver, ui, pass, shots, profile] = process.argv.slice(2);
	let b = null, failed = 1;
	try {
		b = await open(driver, { shots, profileDir: profile });
		failed = await runTests(build(b, { ui, pass }));
	} catch (e) {
		console.log(`FAIL browser: ${e.message}`);
	} finally {
		if (b) await b.close();
	}
	process.exit(failed ? 1 : 0);
}

// Sign in as alice on the page at ui.
async function signIn(b, ui, pass) {
	await b.go(ui + '/');
	await b.type('#operatore', 'alice');
	await b.type('#passphrase', pass);
	await b.click('#modulo-accesso button[type=submit]');
	await b.waitText('#chi', 'Operatore: alice');
}

// From the search, the scheda of the person whose name has `name`, then
// the case of theirs whose line reads `stage`.
async function openCase(b, name, stage) {
	await b.click('#menu button[data-vai=persone]');
	await b.type('#cerca-nome', name);
	await b.click('#modulo-cerca button[type=submit]');
	await b.wait('#risultati tbody button');
	await b.click('#risultati tbody button');
	await b.waitText('#lista-casi', stage);
	const i = await b.run(`return [...document.querySelectorAll(
		'#lista-casi li')].findIndex(l => l.textContent.includes(${JSON.stringify(stage)}))`);
	await b.run(`document.querySelectorAll('#lista-casi li button')[${i}].click()`);
	await b.waitText('#titolo-caso', 'Presa in carico');
}

module.exports = { open, runTests, sleep, script, signIn, openCase };
