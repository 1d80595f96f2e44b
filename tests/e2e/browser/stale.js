// tests/e2e/browser/stale.js - a node enrolled that has never completed a
// round with the Helpdesk says so on its home page, before anyone tries
// (tests/e2e/test_ui_dashboard.sh enrols one and never syncs it).
//   node stale.js DRIVER_URL UI_URL PASSPHRASE SHOTS_DIR PROFILE_DIR
'use strict';

const wd = require('./wd');

wd.script((b, { ui, pass }) => [
	['signin', () => wd.signIn(b, ui, pass)],
	['never_synced_banner', async () => {
		await b.waitText('#sync-vecchia', "non si è ancora sincronizzato con l'Helpdesk");
		await b.waitText('#ultima-sync', 'mai');
		await b.shot('mai-sincronizzato');
	}],
]);
