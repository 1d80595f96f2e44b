// tests/e2e/browser/sync.js - "Sincronizza ora" in a real headless
// Chromium on an enrolled Polo (tests/e2e/test_ui_review.sh): with the
// hub up, the changes not yet sent go and the count drops to 0, and the
// case shows as received by the hub; run again
// after the hub is stopped (PHASE "offline", from the environment), the
// banner says the Helpdesk cannot be reached and that nothing is lost.
//   node sync.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

const offline = process.env.SYNC_PHASE === 'offline';

wd.script((b, { ui, pass }) => [
	['signin', () => wd.signIn(b, ui, pass)],
	offline ? ['hub_unreachable_banner', async () => {
		await b.click('#sincronizza');
		await b.waitText('#avviso', 'Helpdesk non raggiungibile');
		await b.waitText('#avviso', 'restano salvate');
		await b.shot('helpdesk-non-raggiungibile');
	}] : ['sync_now_sends_pending', async () => {
		const before = await b.text('#in-attesa');
		if (before === '0') throw new Error('nothing pending to send');
		await b.click('#sincronizza');
		await b.waitText('#esito-sync', 'Sincronizzazione completata');
		await b.waitText('#in-attesa', '0');
		await b.shot('sincronizzato');
	}],
	offline ? null : ['case_received_by_hub', async () => {
		await wd.openCase(b, 'mensah', 'Pre-assessment');
		await b.wait('#sync-caso [data-stato=hub]');
		await b.waitText('#sync-caso', "ricevuto dall'Helpdesk");
		const local = await b.run(
			"return document.querySelectorAll('#campi-caso [data-stato=local]').length");
		if (local) throw new Error(`${local} fields still saved here only`);
		await b.shot('caso-ricevuto');
	}],
].filter(Boolean));
