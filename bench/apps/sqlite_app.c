/*
 * bench/apps/sqlite_app.c — a real program with its own mmap switch, for the
 * apps proof of `mapbench record` + `mapbench whatif` (issue 17): Debian's
 * SQLite (libsqlite3) on a deterministic database.
 *
 *   sqlite_app build DB MIB            one table t(k INTEGER PRIMARY KEY, a INTEGER,
 *                                      v BLOB) of 200-byte rows and an index on a,
 *                                      about MIB MiB; rows from a fixed xorshift seed
 *   sqlite_app run DB WORKLOAD N MMAP  WORKLOAD point (N lookups by random key),
 *                                      range (N scans of 1000 keys from a random key),
 *                                      full (one scan of every row); MMAP is PRAGMA
 *                                      mmap_size (0: SQLite's preads)
 * `run` prints "ns=<workload ns> rows=<rows read> check=<sum>" on stdout.
 * SQLite's own page cache stays at its default (cache_size -2000, 2 MiB).
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_app: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	return 1;
}

static int build(const char *path, long mib)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	unsigned char blob[200];
	uint64_t s = 88172645463325252u, rows = (uint64_t)mib * 1024 * 1024 / 240;

	remove(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return die(db, path);
	if (sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
			     "CREATE TABLE t(k INTEGER PRIMARY KEY, a INTEGER, v BLOB); BEGIN;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "create");
	if (sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return die(db, "prepare insert");
	for (uint64_t k = 1; k <= rows; k++) {
		for (size_t i = 0; i < sizeof(blob); i += 8) {
			uint64_t v = xs(&s);
			memcpy(blob + i, &v, 8);
		}
		sqlite3_bind_int64(st, 1, (sqlite3_int64)k);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)(xs(&s) % 1000000));
		sqlite3_bind_blob(st, 3, blob, sizeof(blob), SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return die(db, "insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT; CREATE INDEX ta ON t(a);", NULL, NULL, NULL) != SQLITE_OK)
		return die(db, "index");
	sqlite3_close(db);
	printf("rows=%" PRIu64 "\n", rows);
	return 0;
}

static int run(const char *path, const char *wl, const char *mmap_size, long n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	char sql[128];
	uint64_t s = 2463534242u, got = 0, check = 0, maxk, t0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return die(db, path);
	snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%s", mmap_size);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return die(db, sql);
	if (sqlite3_prepare_v2(db, "SELECT max(k) FROM t", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		return die(db, "max(k)");
	maxk = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!strcmp(wl, "point"))
		st = NULL, sqlite3_prepare_v2(db, "SELECT a, length(v) FROM t WHERE k=?", -1, &st, NULL);
	else if (!strcmp(wl, "range"))
		st = NULL, sqlite3_prepare_v2(db, "SELECT sum(a), count(*) FROM t WHERE k BETWEEN ? AND ?+999",
					      -1, &st, NULL);
	else if (!strcmp(wl, "full"))
		st = NULL, sqlite3_prepare_v2(db, "SELECT sum(length(v)), count(*) FROM t", -1, &st, NULL),
		n = 1;
	else {
		fprintf(stderr, "sqlite_app: workload '%s': expected point, range or full\n", wl);
		sqlite3_close(db);
		return 2;
	}
	if (!st)
		return die(db, "prepare");
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		sqlite3_int64 k = (sqlite3_int64)(xs(&s) % maxk + 1);
		sqlite3_bind_int64(st, 1, k);
		sqlite3_bind_int64(st, 2, k);
		while (sqlite3_step(st) == SQLITE_ROW) {
			check += (uint64_t)sqlite3_column_int64(st, 0);
			got += !strcmp(wl, "point") ? 1 : (uint64_t)sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
	}
	printf("ns=%" PRIu64 " rows=%" PRIu64 " check=%" PRIu64 "\n", now_ns() - t0, got, check);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "build"))
		return build(argv[2], atol(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3], argv[5], atol(argv[4]));
	fprintf(stderr, "usage: sqlite_app build DB MIB | run DB point|range|full N MMAP_SIZE\n");
	return 2;
}
