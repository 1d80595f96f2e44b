/*
 * ui_pages.h - the web interface's files (node/ui/pages/), embedded in
 * the binary at build by node/ui/embed.sh, so that a node serves its
 * pages with nothing installed beside it and no file to tamper with.
 * They hold no personal data: the pages ask the API for it once signed in.
 */
#ifndef PRESIDIO_UI_PAGES_H
#define PRESIDIO_UI_PAGES_H

#include <stddef.h>

struct ui_page {
	const char *name;          /* file name in node/ui/pages/ */
	const char *type;          /* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct ui_page ui_pages[];
extern const size_t ui_npages;

#endif
