/*
 * view_export.h - one collection as a CSV file for a spreadsheet
 * (`presidio export --csv`): a header line of the fields' Italian labels
 * (after "Identificativo"), then a line per live record the node holds,
 * ';' between values, values as an operator reads them: declared values
 * by their Italian label, dates dd/mm/yyyy, amounts in cents as euro
 * with a decimal comma, lists joined by ", ", booleans "si'"/"no";
 * quoted when they hold ';', a quote or a line break, and a value
 * starting with = + - @ is prefixed with a quote so that a spreadsheet
 * does not run it as a formula.  The same shape as the report's CSV
 * (view_report.h).
 *
 * Layer: the views (commands -> views -> store).  The CSV holds personal
 * data in clear: it is built in a struct buf (common/buf.h), which wipes
 * every block it leaves and releases; the caller writes it and releases
 * the buffer.
 */
#ifndef PRESIDIO_VIEW_VIEW_EXPORT_H
#define PRESIDIO_VIEW_VIEW_EXPORT_H

#include "common/buf.h"
#include "common/err.h"
#include "node/store.h"

#define VIEW_EXPORT_MAX (256u << 20) /* bytes of one export at most */

/*
 * Append the CSV of collection coll (every live record of s, which must
 * be unlocked) to out (initialised by the caller, e.g. buf_init(out,
 * VIEW_EXPORT_MAX)); *rows gets the number of records.  ERR_NOTFOUND
 * for an unknown collection, ERR_INVALID when past out's max, the
 * store's errors.
 */
int view_export_csv(struct store *s, const char *coll, struct buf *out,
		    size_t *rows, struct err *e) ERR_MUST_USE;

#endif
