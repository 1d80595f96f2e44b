/*
 * store_lock.c - the node directory's lock file, presidio.lock.
 *
 * Every store handle (store_open(), store_init(), store_clone()) holds a
 * shared flock(2) on DIR/presidio.lock for as long as it is open; a
 * restore (store_restore(), node/store_backup.h) takes it exclusive, so
 * that it never replaces the database under a process that has it open
 * (hub serve, sync --watch, ui, an import, a status) and no process
 * opens the files while they are being replaced.  Neither side waits:
 * the restore is refused while anyone holds the store, and an open is
 * refused (ERR_BUSY) while a restore runs.
 *
 * Why a lock file and not SQLite's own locks: SQLite takes its locks per
 * transaction (a process that merely has the database open holds none
 * between them, and in WAL mode readers never block an exclusive
 * writer), so they cannot tell "nobody has this store open".  flock()
 * locks belong to the open file description, are released by the kernel
 * when the process dies (a crashed server leaves nothing to clean), and
 * are independent of the POSIX locks SQLite uses on the database file.
 * The file itself holds nothing and is never deleted (deleting it would
 * let two processes lock two different files); it is not in a backup.
 */
#include "node/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int store_dir_lock(const char *dir, int exclusive, int *fd, struct err *e)
{
	char path[4096];
	int n, rc = 0;

	*fd = -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, STORE_LOCK_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return err_set(e, ERR_INVALID, "node directory path too long");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	/* A directory one may read but not write (a copy for inspection):
	 * a lock file already there is enough to take a shared lock. */
	if (*fd < 0 && !exclusive)
		*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0) {
		rc = err_set(e, ERR_IO, "cannot open %s: %s", path,
			     strerror(errno));
		goto out;
	}
	while (flock(*fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			rc = err_set(e, ERR_BUSY,
				     exclusive
					 ? "the node in %s is in use by another "
					   "process (hub serve, sync, ui, "
					   "import...): stop it first"
					 : "the node in %s is being restored "
					   "(presidio restore): try again when "
					   "it is done",
				     dir);
		else
			rc = err_set(e, ERR_IO, "cannot lock %s: %s", path,
				     strerror(errno));
		break;
	}
out:
	if (rc && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

void store_dir_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
