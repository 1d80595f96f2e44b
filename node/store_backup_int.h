/*
 * store_backup_int.h - what store_backup.c (writing, checking) and
 * store_restore.c (restoring, the restored mark) share: small file
 * helpers and the header's encoder.  Internal to node/.
 */
#ifndef PRESIDIO_STORE_BACKUP_INT_H
#define PRESIDIO_STORE_BACKUP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store_backup.h"

/* Write n bytes, retrying short writes: 0 or -1 (errno set). */
int store_backup_write_all(int fd, const uint8_t *p, size_t n);

/* Read up to n bytes, fewer only at the end of the file (*got): 0 or -1
 * (errno set). */
int store_backup_read_full(int fd, uint8_t *p, size_t n, size_t *got);

/* fsync the directory holding path (a rename or link there is durable
 * once it returns 0).  ERR_IO. */
int store_backup_fsync_dir(const char *path, struct err *e);

/* Encode in as the STORE_BACKUP_HEADER bytes at h. */
void store_backup_header_put(uint8_t *h, const struct store_backup_info *in);

#endif
