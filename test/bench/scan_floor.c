/*
 * Memory floors of the direct scan, outside PostgreSQL: reads the events table's heap file(s)
 * into memory and times (median of 5) loops over those same pages, in page order:
 *   1. one load from every 64-byte line of every page (the bytes alone);
 *   2. what cohort's direct scan does with each row of a definition that keeps none: list a page's
 *      normal line pointers from the last to the first (tuples in ascending address order), then
 *      read each tuple's header, event text's length and timestamp (the column right after the
 *      text; read for every tuple, as src/pg/heap_scan.hpp does), the null test without a branch
 *      on whether the tuple has a null bitmap (as there), and test the event, prefetching as
 *      src/pg/heap_scan.cpp does (the next page's first 8 lines; no tuple prefetch);
 *   3. the same in line pointer order (tuples in descending address order), each tuple's two
 *      lines prefetched 16 tuples ahead into the second level and the next page's last 4 lines
 *      too: the direct scan before it read tuples in ascending order.
 * No buffer manager, pins, locks or visibility checks: the difference to cohort's own scan with
 * nothing kept is what those cost, plus whatever our build does worse.
 *
 *   scan_floor <path of the relation's first segment>
 *
 * The table must have the benchmark's layout (user_id bigint, event text, ts timestamptz, ...)
 * and be checkpointed; all-visible pages are assumed (the benchmark vacuums). Built by
 * test/bench/run.sh against the server headers (only their macros are used).
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "storage/bufpage.h"

/* port.h routes these to libpgport, which this program does not link: the C library's. */
#undef printf
#undef fprintf
#undef snprintf
#undef qsort

#define RUNS 5
#define PREFETCH_TUPLES 16		/* loop 3 */

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The size of file `path` in bytes, or -1 when it does not exist; exits on any other error. */
static off_t
file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return st.st_size;
	if (errno == ENOENT)
		return -1;
	perror(path);
	exit(1);
}

/* Writes to `path` the name of segment `seg` of the relation whose first segment is `first`. */
static void
segment_path(char *path, size_t size, const char *first, int seg)
{
	if (seg == 0)
		snprintf(path, size, "%s", first);
	else
		snprintf(path, size, "%s.%d", first, seg);
}

/* Reads file `path` of `size` bytes to `out`; exits on any error. */
static void
read_file(const char *path, char *out, size_t size)
{
	int			fd = open(path, O_RDONLY);
	size_t		done = 0;

	if (fd < 0)
	{
		perror(path);
		exit(1);
	}
	while (done < size)
	{
		ssize_t		got = read(fd, out + done, size - done);

		if (got <= 0)
		{
			fprintf(stderr, "scan_floor: cannot read %s\n", path);
			exit(1);
		}
		done += (size_t) got;
	}
	close(fd);
}

/* Loop 1: one load per cache line of every page, in page order; returns a sum to keep it. */
static uint64
touch_lines(const char *pages, size_t npages)
{
	uint64		sum = 0;

	for (size_t i = 0; i < npages * BLCKSZ; i += 64)
		sum += (unsigned char) pages[i];
	return sum;
}

/* Starts loading a tuple's first two lines into the second-level cache. */
static inline void
prefetch_tuple(const char *page, uint16 offset)
{
	__builtin_prefetch(page + offset, 0, 2);
	__builtin_prefetch(page + offset + 64, 0, 2);
}

/* The time window of loops 2 and 3, read at run time so that no test is decided at compile time. */
static volatile int64 window_lower = 0;
static volatile int64 window_upper = PG_INT64_MAX;

/*
 * Loops 2 and 3: each visible tuple's event text (at offset 8) and timestamp (the next 8-aligned
 * offset), the timestamp read whatever the event, the event tested against one no row has, then
 * the time against a window; returns the rows that pass both. `ascending`: loop 2, else loop 3.
 */
static uint64
scan_tuples(const char *pages, size_t npages, bool ascending)
{
	static const char wanted[] = "no such event";
	const int64 lower = window_lower,
				upper = window_upper;
	uint16		offsets[MaxHeapTuplesPerPage];
	uint64		kept = 0;

	for (size_t b = 0; b < npages; ++b)
	{
		const char *page = pages + b * BLCKSZ;
		int			lines = PageGetMaxOffsetNumber((Page) page);
		int			count = 0;

		if (b + 1 < npages)
		{
			const char *next = page + BLCKSZ;

			for (int l = 0; l < 8; ++l)
				__builtin_prefetch(next + 64 * l);
			if (!ascending)
				for (int l = 1; l <= 4; ++l)
					__builtin_prefetch(next + BLCKSZ - 64 * l);
		}
		if (ascending)
		{
			for (int off = lines; off >= FirstOffsetNumber && count < MaxHeapTuplesPerPage; --off)
			{
				ItemId		lp = PageGetItemId((Page) page, off);

				if (ItemIdIsNormal(lp))
					offsets[count++] = (uint16) ItemIdGetOffset(lp);
			}
		}
		else
		{
			for (int off = FirstOffsetNumber; off <= lines && count < MaxHeapTuplesPerPage; ++off)
			{
				ItemId		lp = PageGetItemId((Page) page, off);

				if (ItemIdIsNormal(lp))
					offsets[count++] = (uint16) ItemIdGetOffset(lp);
			}
			for (int i = 0; i < count && i < PREFETCH_TUPLES; ++i)
				prefetch_tuple(page, offsets[i]);
		}
		for (int i = 0; i < count; ++i)
		{
			HeapTupleHeader tuple;
			const char *data;
			const char *text;
			uint32		end;
			int			len;
			int64		ts;

			if (!ascending && i + PREFETCH_TUPLES < count)
				prefetch_tuple(page, offsets[i + PREFETCH_TUPLES]);
			tuple = (HeapTupleHeader) (page + offsets[i]);
			if (HeapTupleHeaderGetNatts(tuple) < 3)
				continue;
			/* no branch on whether the tuple has a null bitmap, as cohort's screen (pair_not_null()) */
			if (((tuple->t_bits[0] | ((tuple->t_infomask & HEAP_HASNULL) ? 0 : 0xFF)) & 7) != 7)
				continue;
			data = (const char *) tuple + tuple->t_hoff;
			text = data + 8;
			if (!VARATT_IS_1B(text) || VARATT_IS_1B_E(text))
				continue;
			len = VARSIZE_1B(text) - VARHDRSZ_SHORT;
			end = att_align_nominal(8 + VARSIZE_1B(text), TYPALIGN_DOUBLE);
			memcpy(&ts, data + end, sizeof ts);
			__asm__ volatile("" : : "r"(ts));	/* loaded here, as cohort's scan loads it */
			if (len == (int) sizeof wanted - 1 && memcmp(text + 1, wanted, len) == 0 && ts >= lower && ts <= upper)
				++kept;
		}
	}
	return kept;
}

/* Sorts doubles (qsort). */
static int
by_value(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	char	   *pages;
	size_t		total = 0,
				npages;
	int			segments = 0;
	double		lines[RUNS],
				tuples[RUNS],
				descending[RUNS];
	volatile uint64 sink = 0;	/* keeps the loops' results, so that none is optimized away */
	char		path[4096];

	if (argc != 2)
	{
		fprintf(stderr, "usage: scan_floor <relation file>\n");
		return 2;
	}
	/* The first segment, then .1, .2, ... while they exist: sized first, read into one block. */
	for (;; ++segments)
	{
		off_t		size;

		segment_path(path, sizeof path, argv[1], segments);
		size = file_size(path);
		if (size < 0)
			break;
		total += (size_t) size;
	}
	if (segments == 0)
	{
		fprintf(stderr, "scan_floor: %s does not exist\n", argv[1]);
		return 1;
	}
	pages = aligned_alloc(BLCKSZ, total + BLCKSZ);
	if (pages == NULL)
	{
		fprintf(stderr, "scan_floor: out of memory for %zu bytes\n", total);
		return 1;
	}
	for (size_t seg = 0, at = 0; seg < (size_t) segments; ++seg)
	{
		off_t		size;

		segment_path(path, sizeof path, argv[1], (int) seg);
		size = file_size(path);
		if (size < 0 || at + (size_t) size > total)
		{
			fprintf(stderr, "scan_floor: %s changed while being read\n", path);
			return 1;
		}
		read_file(path, pages + at, (size_t) size);
		at += (size_t) size;
	}
	npages = total / BLCKSZ;
	for (int r = 0; r < RUNS; ++r)
	{
		double		t0 = now();

		sink += touch_lines(pages, npages);
		lines[r] = now() - t0;
		t0 = now();
		sink += scan_tuples(pages, npages, true);
		tuples[r] = now() - t0;
		t0 = now();
		sink += scan_tuples(pages, npages, false);
		descending[r] = now() - t0;
	}
	qsort(lines, RUNS, sizeof(double), by_value);
	qsort(tuples, RUNS, sizeof(double), by_value);
	qsort(descending, RUNS, sizeof(double), by_value);
	printf("pages: %zu (%.0f MB)\n", npages, npages * (double) BLCKSZ / (1 << 20));
	printf("every cache line of the pages, in page order: %.3f s\n", lines[RUNS / 2]);
	printf("each tuple's header, event and time, as the direct scan reads them (ascending addresses): %.3f s\n", tuples[RUNS / 2]);
	printf("the same in line pointer order (descending addresses), prefetching tuples: %.3f s\n", descending[RUNS / 2]);
	free(pages);
	return 0;
}
