/*
 * bench/suites/runner.c — `mapbench suite run` (contract in runner.h).
 *
 * Every unit of work is a task run as a child process of the mapbench
 * executable, in its own process group, output to DIR/logs/. Phases run in
 * order: traces (up to jobs at a time), model cases (jobs), native cases
 * (jobs_native, default 1: they measure the machine and must not overlap
 * anything), then compare, plot and report. Signals are blocked except inside
 * sigsuspend(), so an interrupt is seen between two waits and never lost.
 *
 * Invariants: a merged results file is rewritten atomically after every
 * finished case and is always a complete JSON document; a task is in exactly
 * one state; children never outlive the runner (killed on interrupt,
 * PR_SET_PDEATHSIG if the runner dies).
 */
#include "bench/bench.h"
#include "bench/suites/runner.h"
#include "bench/suites/hostprof.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* snprintf that truncates silently (paths and messages are bounded on purpose). */

enum task_kind { TASK_TRACE = 0, TASK_MODEL, TASK_NATIVE, TASK_ANALYSIS, TASK__COUNT };
enum task_state { TS_PENDING = 0, TS_RUNNING, TS_OK, TS_FAILED, TS_SKIPPED, TS_KILLED };

static const char *const kind_names[TASK__COUNT] = { "trace", "model", "native", "analysis" };
static const char *const state_names[] = { "pending", "running", "ok", "failed", "skipped", "interrupted" };

struct task {
	enum task_kind kind;           /* what it runs */
	const struct suite_case *c;    /* its case (model/native), else NULL */
	char **argv;                   /* child argv (owned) */
	char out[PATH_MAX];            /* output file (result JSON, trace) */
	char log[PATH_MAX];            /* stdout+stderr of the child */
	char label[320];               /* for progress lines */
	long dep;                      /* index of the trace task it needs, -1 none */
	enum task_state state;         /* lifecycle */
	pid_t pid;                     /* while running */
	int exit_code;                 /* exit status, or 128+signal */
	uint64_t t0;                   /* start, mb_now_ns() */
	double secs;                   /* wall time */
	char why[512];                 /* failure reason */
};

/* One merged results file (native.json or model.json). */
struct merged {
	json_t *doc;          /* document, NULL until the first case lands */
	char path[PATH_MAX];  /* DIR/<side>.json */
	size_t ncases;        /* cases merged */
};

struct run {
	const struct suite *s;         /* the suite */
	const struct suite_run_opts *o;/* options */
	struct task *t;                /* all tasks */
	size_t nt;                     /* count */
	size_t ncase_tasks;            /* model + native tasks (progress denominator) */
	size_t ncase_done;             /* finished of those */
	struct merged m[TASK__COUNT];  /* merged files for TASK_MODEL, TASK_NATIVE */
	uint64_t t0;                   /* suite start */
};

static volatile sig_atomic_t stop_signal; /* SIGINT/SIGTERM received */

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_child(int sig)
{
	(void)sig; /* only wakes sigsuspend */
}

/* ---- merged results ------------------------------------------------------ */

static json_t *empty_doc(const struct run *r)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *v = mb_version(), *g = strstr(v, "git ");
	char git[64] = "unknown";

	if (g) {
		mb_sfmt(git, sizeof(git), "%s", g + 4);
		git[strcspn(git, ")")] = 0;
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	(void)r;
	return json_pack("{s:s, s:i, s:{s:s, s:s}, s:s, s:{}, s:{}, s:[], s:b}",
			 "schema", "mapbench-result", "schema_version", 1,
			 "tool", "version", MAPBENCH_VERSION, "git", git, "timestamp", ts,
			 "host", "options", "cases", "partial", 1);
}

/* Write a merged document atomically, with partial set as asked. */
static int merged_write(struct run *r, struct merged *m, int partial)
{
	json_t *opts;
	char *text;
	int e;

	if (!m->doc) {
		m->doc = empty_doc(r);
		if (!m->doc)
			return -ENOMEM;
	}
	json_object_set_new(m->doc, "partial", json_boolean(partial));
	opts = json_object_get(m->doc, "options");
	if (!json_is_object(opts)) {
		opts = json_object();
		json_object_set_new(m->doc, "options", opts);
	}
	json_object_set_new(opts, "suite", json_pack("{s:s, s:s, s:I}", "name", r->s->name,
						     "file", r->s->path, "cases",
						     (json_int_t)r->s->ncases));
	text = json_dumps(m->doc, JSON_INDENT(1));
	if (!text)
		return -ENOMEM;
	e = mb_write_atomic(m->path, text, strlen(text));
	free(text);
	if (e)
		mb_errno("suite", e, "writing %s", m->path);
	return e;
}

/* Fold one case result file into its side's merged document. */
static int merge_case(struct run *r, struct task *t)
{
	struct merged *m = &r->m[t->kind];
	json_error_t je;
	json_t *doc = json_load_file(t->out, 0, &je), *cases;

	if (!doc) {
		mb_sfmt(t->why, sizeof(t->why), "result %.300s unreadable: line %d: %.160s", t->out, je.line, je.text);
		return -EINVAL;
	}
	cases = json_object_get(doc, "cases");
	if (!json_is_array(cases) || !json_array_size(cases)) {
		mb_sfmt(t->why, sizeof(t->why), "result %.300s has no cases", t->out);
		json_decref(doc);
		return -EINVAL;
	}
	m->ncases += json_array_size(cases);
	if (!m->doc) {
		m->doc = doc;
	} else {
		json_array_extend(json_object_get(m->doc, "cases"), cases);
		json_decref(doc);
	}
	return merged_write(r, m, 1);
}

/* ---- children ------------------------------------------------------------ */

static int start(struct run *r, struct task *t, const sigset_t *orig)
{
	pid_t pid;

	(void)r;
	if (t->kind == TASK_MODEL || t->kind == TASK_NATIVE)
		unlink(t->out); /* never merge a stale result of an earlier run */
	pid = fork();
	if (pid < 0) {
		mb_sfmt(t->why, sizeof(t->why), "fork: %s", strerror(errno));
		t->state = TS_FAILED;
		return -errno;
	}
	if (pid == 0) {
		int fd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, orig, NULL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (null >= 0)
			dup2(null, 0);
		execv(t->argv[0], t->argv);
		fprintf(stderr, "mapbench: suite: exec %s: %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* also from the parent: no race with kill(-pid) */
	t->pid = pid;
	t->state = TS_RUNNING;
	t->t0 = mb_now_ns();
	return 0;
}

/* Last non-empty line of a log, for failure messages. */
static void log_tail(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0])
			mb_sfmt(buf, len, "%s", line);
	}
	fclose(f);
}

static int log_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static void progress(struct run *r, const struct task *t)
{
	const char *st = t->state == TS_OK ? "" : t->state == TS_SKIPPED ? "  SKIPPED" : "  FAILED";

	if (!r->o->progress)
		return;
	if ((t->kind == TASK_MODEL || t->kind == TASK_NATIVE) && t->c)
		fprintf(stderr, "[%zu/%zu] %-6s %s ... %.1f s%s\n", r->ncase_done, r->ncase_tasks,
			kind_names[t->kind], t->label, t->secs, st);
	else
		fprintf(stderr, "[%s] %s ... %.1f s%s\n", kind_names[t->kind], t->label, t->secs, st);
	if (t->state == TS_FAILED || t->state == TS_SKIPPED)
		fprintf(stderr, "    %s (log: %s)\n", t->why, t->log);
}

/* A child ended: judge it, merge it, report it. */
static void finished(struct run *r, struct task *t, int status)
{
	char tail[400];

	t->secs = (double)(mb_now_ns() - t->t0) / 1e9;
	t->pid = 0;
	t->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		struct stat st;
		t->state = TS_OK;
		if (t->kind == TASK_TRACE && (stat(t->out, &st) || st.st_size == 0)) {
			t->state = TS_FAILED;
			mb_sfmt(t->why, sizeof(t->why), "exit 0 but no trace at %.400s", t->out);
		} else if ((t->kind == TASK_MODEL || t->kind == TASK_NATIVE) && t->c && merge_case(r, t)) {
			t->state = TS_FAILED;
		}
	} else if (stop_signal) {
		t->state = TS_KILLED;
		mb_sfmt(t->why, sizeof(t->why), "interrupted");
	} else {
		t->state = TS_FAILED;
		log_tail(t->log, tail, sizeof(tail));
		if (t->kind == TASK_NATIVE && t->exit_code == BENCH_EXIT_SKIP) {
			/* the host lacks what the case needs (bench.h): skipped with the reason */
			t->state = TS_SKIPPED;
			mb_sfmt(t->why, sizeof(t->why), "%s", tail);
		} else if (t->exit_code == 2 && log_has(t->log, "not built yet"))
			mb_sfmt(t->why, sizeof(t->why), "'mapbench %s' is not built yet in this version",
				 t->argv[1]);
		else if (WIFSIGNALED(status))
			mb_sfmt(t->why, sizeof(t->why), "killed by signal %d: %s", WTERMSIG(status), tail);
		else
			mb_sfmt(t->why, sizeof(t->why), "exit %d: %s", t->exit_code, tail);
	}
	if ((t->kind == TASK_MODEL || t->kind == TASK_NATIVE) && t->c)
		r->ncase_done++;
	if (t->state != TS_KILLED)
		progress(r, t);
}

static void kill_running(struct run *r)
{
	uint64_t deadline = mb_now_ns() + 5 * UINT64_C(1000000000);
	int sig = SIGTERM;

	for (;;) {
		int any = 0;
		for (size_t i = 0; i < r->nt; i++) {
			struct task *t = &r->t[i];
			int status;
			if (t->state != TS_RUNNING)
				continue;
			if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
				finished(r, t, status);
				continue;
			}
			kill(-t->pid, sig);
			any = 1;
		}
		if (!any)
			return;
		if (mb_now_ns() > deadline)
			sig = SIGKILL;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
}

/* Run the pending tasks of one kind, at most conc at a time. 0, or -EINTR. */
static int run_phase(struct run *r, enum task_kind kind, unsigned conc, const sigset_t *orig)
{
	unsigned running = 0;
	size_t next = 0;

	for (;;) {
		pid_t pid;
		int status;

		while (!stop_signal && running < conc && next < r->nt) {
			struct task *t = &r->t[next++];
			if (t->kind != kind || t->state != TS_PENDING)
				continue;
			if (t->dep >= 0 && r->t[t->dep].state != TS_OK) {
				t->state = TS_FAILED;
				mb_sfmt(t->why, sizeof(t->why), "its trace could not be generated: see %.400s",
				     r->t[t->dep].log);
				if (kind == TASK_MODEL || kind == TASK_NATIVE)
					r->ncase_done++;
				progress(r, t);
				continue;
			}
			if (!start(r, t, orig))
				running++;
			else
				progress(r, t);
		}
		if (stop_signal) {
			kill_running(r);
			return -EINTR;
		}
		if (!running)
			return 0;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (size_t i = 0; i < r->nt; i++)
				if (r->t[i].state == TS_RUNNING && r->t[i].pid == pid) {
					finished(r, &r->t[i], status);
					running--;
					break;
				}
		}
		if (!running)
			continue; /* start the next ones, or end the phase */
		if (pid < 0 && errno == ECHILD) { /* cannot happen while running > 0 */
			mb_err("suite", "lost track of %u running children", running);
			return -ECHILD;
		}
		if (pid == 0 || (pid < 0 && errno == EINTR)) {
			sigset_t wait = *orig;
			sigdelset(&wait, SIGINT);
			sigdelset(&wait, SIGTERM);
			sigdelset(&wait, SIGCHLD);
			if (!stop_signal)
				sigsuspend(&wait);
		}
	}
}

/* ---- building the task list -------------------------------------------- */

static void add_task(struct run *r, enum task_kind kind, const struct suite_case *c, char **argv,
		     const char *out, const char *log, const char *label, long dep)
{
	struct task *t = &r->t[r->nt++];

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->c = c;
	t->argv = argv;
	mb_sfmt(t->out, sizeof(t->out), "%s", out);
	mb_sfmt(t->log, sizeof(t->log), "%s", log);
	mb_sfmt(t->label, sizeof(t->label), "%s", label);
	t->dep = dep;
	if (!argv) {
		t->state = TS_FAILED;
		mb_sfmt(t->why, sizeof(t->why), "out of memory building the command");
	}
}

/*
 * Host drift checks around and among the native cases (`calibrate --drift`,
 * about half a second each): the calibrated profile's short probes run again
 * before the first native case, after every DRIFT_EVERY of them and after the
 * last; DIR/drift-WHEN.json, folded into native.json's host block
 * (attach_drift) for compare to judge. On a shared host the speed of kernel
 * paths swings by 20% within a minute, so one check at each end would sample
 * two moments of the replays; several give their median and range. Only with
 * a calibrated host profile: stock profiles carry no reference figures.
 */
#define DRIFT_EVERY 25
static void add_drift(struct run *r, const char *when)
{
	const char *d = r->o->out_dir, *prof = r->o->ov.host_profile;
	char out[PATH_MAX], log[PATH_MAX], label[80];
	char **argv;

	if (!prof || !(r->o->sides & SUITE_MODEL))
		return;
	mb_sfmt(out, sizeof(out), "%s/drift-%s.json", d, when);
	mb_sfmt(log, sizeof(log), "%s/logs/drift-%s.log", d, when);
	mb_sfmt(label, sizeof(label), "drift check %s", when);
	argv = calloc(9, sizeof(*argv));
	if (argv) {
		const char *w[] = { r->o->exe, "calibrate", "--drift", prof, "-o", out, "--label", when };
		for (size_t i = 0; i < MB_ARRAY_SIZE(w); i++)
			argv[i] = strdup(w[i]);
	}
	add_task(r, TASK_NATIVE, NULL, argv, out, log, label, -1);
}

/* native.json's host.drift: {"start": ..., "after-25": ..., "end": ...} from the drift checks that ran. */
static void attach_drift(struct run *r)
{
	json_t *host, *drift = json_object();
	json_error_t je;

	for (size_t i = 0; i < r->nt; i++) {
		const struct task *t = &r->t[i];
		json_t *doc, *label;
		if (t->kind != TASK_NATIVE || t->c || t->state != TS_OK || !(doc = json_load_file(t->out, 0, &je)))
			continue;
		label = json_object_get(doc, "label");
		json_object_set_new(drift, json_is_string(label) ? json_string_value(label) : "check", doc);
	}
	host = r->m[TASK_NATIVE].doc ? json_object_get(r->m[TASK_NATIVE].doc, "host") : NULL;
	if (json_is_object(host) && json_object_size(drift))
		json_object_set(host, "drift", drift);
	json_decref(drift);
}

static int build_tasks(struct run *r)
{
	const struct suite *s = r->s;
	const struct suite_run_opts *o = r->o;
	const char *d = o->out_dir;
	char path[PATH_MAX], out[PATH_MAX], log[PATH_MAX], label[300];
	long *trace_of = calloc(s->ncases, sizeof(*trace_of));

	r->t = calloc(3 * s->ncases + s->ncases / DRIFT_EVERY + 8, sizeof(*r->t)); /* + drift checks, 3 analysis tasks */
	if (!r->t || !trace_of) {
		free(trace_of);
		return -ENOMEM;
	}
	/* traces: one task per distinct spec */
	for (size_t i = 0; i < s->ncases; i++) {
		const struct suite_case *c = &s->cases[i];
		trace_of[i] = -1;
		if (c->trace[0] == '@')
			continue;
		for (size_t j = 0; j < i; j++)
			if (s->cases[j].trace[0] != '@' && !strcmp(s->cases[j].trace, c->trace)) {
				trace_of[i] = trace_of[j];
				break;
			}
		if (trace_of[i] >= 0)
			continue;
		suite_trace_path(c, d, path, sizeof(path));
		mb_sfmt(log, sizeof(log), "%s/logs/trace-%zu.log", d, r->nt);
		trace_of[i] = (long)r->nt;
		add_task(r, TASK_TRACE, c, suite_trace_argv(c->trace, o->exe, path), path, log,
			 c->trace, -1);
		if (!access(path, R_OK)) { /* cached: same spec, same trace */
			r->t[r->nt - 1].state = TS_OK;
		}
	}
	for (int side = SUITE_MODEL; side >= SUITE_NATIVE; side--) {
		enum task_kind k = side == SUITE_MODEL ? TASK_MODEL : TASK_NATIVE;
		if (!(o->sides & (unsigned)side))
			continue;
		size_t nside = 0;
		if (k == TASK_NATIVE)
			add_drift(r, "start");
		for (size_t i = 0; i < s->ncases; i++) {
			const struct suite_case *c = &s->cases[i];
			if (!(c->sides & (unsigned)side))
				continue;
			if (k == TASK_NATIVE && nside && nside % DRIFT_EVERY == 0) {
				char when[32];
				mb_sfmt(when, sizeof(when), "after-%zu", nside);
				add_drift(r, when);
			}
			nside++;
			suite_trace_path(c, d, path, sizeof(path));
			mb_sfmt(out, sizeof(out), "%s/cases/%04u-%s.json", d, c->index, kind_names[k]);
			mb_sfmt(log, sizeof(log), "%s/logs/%04u-%s.log", d, c->index, kind_names[k]);
			suite_case_label(c, label, sizeof(label));
			add_task(r, k, c, suite_case_argv(c, (enum suite_side)side, &o->ov, o->exe, path, out),
				 out, log, label, trace_of[i]);
			r->ncase_tasks++;
		}
		if (k == TASK_NATIVE)
			add_drift(r, "end");
	}
	free(trace_of);
	return 0;
}

/* compare, plot, report: added once the cases are done. */
/* argv of "EXE CMD [NATIVE] [MODEL] -o OUT" (NULL-terminated, strdup'ed), NULL when out of memory. */
static char **results_argv(const char *exe, const char *cmd, const char *native, const char *model,
			   const char *out)
{
	char **argv = calloc(8, sizeof(*argv));
	size_t n = 0;

	if (!argv)
		return NULL;
	argv[n++] = strdup(exe);
	argv[n++] = strdup(cmd);
	if (native)
		argv[n++] = strdup(native);
	if (model)
		argv[n++] = strdup(model);
	argv[n++] = strdup("-o");
	argv[n++] = strdup(out);
	return argv;
}

static void add_analysis(struct run *r)
{
	const char *d = r->o->out_dir;
	char native[PATH_MAX], model[PATH_MAX], a[PATH_MAX], b[PATH_MAX], log[PATH_MAX];
	int have_n = r->m[TASK_NATIVE].ncases > 0, have_m = r->m[TASK_MODEL].ncases > 0;
	char **argv;

	mb_sfmt(native, sizeof(native), "%s/native.json", d);
	mb_sfmt(model, sizeof(model), "%s/model.json", d);
	if (have_n && have_m) {
		mb_sfmt(a, sizeof(a), "%s/compare.md", d);
		mb_sfmt(b, sizeof(b), "%s/compare.json", d);
		mb_sfmt(log, sizeof(log), "%s/logs/compare.log", d);
		argv = calloc(10, sizeof(*argv));
		if (argv) {
			const char *w[] = { r->o->exe, "compare", native, model, "--markdown", a, "--json", b };
			for (size_t i = 0; i < MB_ARRAY_SIZE(w); i++)
				argv[i] = strdup(w[i]);
		}
		add_task(r, TASK_ANALYSIS, NULL, argv, a, log, "compare -> compare.md, compare.json", -1);
	}
	if (have_n || have_m) {
		mb_sfmt(a, sizeof(a), "%s/plots", d);
		mb_sfmt(log, sizeof(log), "%s/logs/plot.log", d);
		argv = results_argv(r->o->exe, "plot", have_n ? native : NULL, have_m ? model : NULL, a);
		add_task(r, TASK_ANALYSIS, NULL, argv, a, log, "plot -> plots/", -1);
		mb_sfmt(a, sizeof(a), "%s/report.md", d);
		mb_sfmt(log, sizeof(log), "%s/logs/report.log", d);
		argv = results_argv(r->o->exe, "report", have_n ? native : NULL, have_m ? model : NULL, a);
		add_task(r, TASK_ANALYSIS, NULL, argv, a, log, "report -> report.md", -1);
	}
}

/* DIR/suite.json: every task, for the record and for tests. */
static void write_summary(struct run *r, int interrupted)
{
	json_t *root = json_object(), *tasks = json_array();
	char path[PATH_MAX], *text;

	for (size_t i = 0; i < r->nt; i++) {
		const struct task *t = &r->t[i];
		json_t *argv = json_array(), *o;
		for (size_t k = 0; t->argv && t->argv[k]; k++)
			json_array_append_new(argv, json_string(t->argv[k]));
		o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:o}", "kind", kind_names[t->kind],
			      "label", t->label, "state", state_names[t->state], "exit", t->exit_code,
			      "seconds", t->secs, "log", t->log, "out", t->out, "argv", argv);
		if (t->c)
			json_object_set_new(o, "case", json_integer(t->c->index));
		if (t->why[0])
			json_object_set_new(o, "reason", json_string(t->why));
		json_array_append_new(tasks, o);
	}
	json_object_set_new(root, "suite", json_string(r->s->name));
	json_object_set_new(root, "file", json_string(r->s->path));
	json_object_set_new(root, "interrupted", json_boolean(interrupted));
	json_object_set_new(root, "seconds", json_real((double)(mb_now_ns() - r->t0) / 1e9));
	json_object_set_new(root, "tasks", tasks);
	mb_sfmt(path, sizeof(path), "%s/suite.json", r->o->out_dir);
	text = json_dumps(root, JSON_INDENT(1));
	if (text && mb_write_atomic(path, text, strlen(text)))
		mb_err("suite", "writing %s failed", path);
	free(text);
	json_decref(root);
}

/* Nonzero when a case's model side runs with the profile "host" (no --profile override). */
static int needs_host_profile(const struct suite *s, const struct suite_run_opts *o)
{
	if (!(o->sides & SUITE_MODEL))
		return 0;
	if (o->ov.profile)
		return !strcmp(o->ov.profile, HOSTPROF_NAME);
	for (size_t i = 0; i < s->ncases; i++)
		if ((s->cases[i].sides & SUITE_MODEL) && !strcmp(s->cases[i].profile, HOSTPROF_NAME))
			return 1;
	return 0;
}

/*
 * The closing lines: every metric family's agreement verdict from
 * DIR/compare.json, and compare's warnings. Returns 1 when a family FAILs,
 * 0 when none does, -1 when there is no comparison to read.
 */
static int print_verdicts(const char *dir)
{
	static const char *const order[] = { "faults", "pagecache", "pt", "syscalls", "time", "tlb", "checksum" };
	char path[PATH_MAX];
	json_error_t je;
	json_t *root, *fams, *w;
	int fail = 0;
	size_t i;

	mb_sfmt(path, sizeof(path), "%s/compare.json", dir);
	root = json_load_file(path, 0, &je);
	fams = root ? json_object_get(root, "families") : NULL;
	if (!json_is_object(fams)) {
		json_decref(root);
		return -1;
	}
	fprintf(stderr, "agreement (native vs model, %s/compare.md):\n", dir);
	for (i = 0; i < MB_ARRAY_SIZE(order); i++) {
		json_t *f = json_object_get(fams, order[i]), *tol = json_object_get(f, "tolerance");
		const char *v = json_string_value(json_object_get(f, "verdict"));
		double share = json_real_value(json_object_get(f, "share"));
		double err = json_real_value(json_object_get(f, "median_abs_err"));
		double maxerr = json_real_value(json_object_get(tol, "max_median_err"));
		double minshare = json_real_value(json_object_get(tol, "min_share"));
		json_int_t cmp = json_integer_value(json_object_get(f, "compared"));
		json_int_t within = json_integer_value(json_object_get(f, "within"));
		json_int_t unsup = json_integer_value(json_object_get(f, "unsupported"));
		if (!f || !v)
			continue;
		if (!cmp) {
			fprintf(stderr, "  %-10s no data (%lld unsupported on this host)\n", order[i], (long long)unsup);
			continue;
		}
		if (!strcmp(v, "FAIL"))
			fail = 1;
		fprintf(stderr, "  %-10s %5lld of %5lld within tolerance (%5.1f%%), median |error| %5.1f%%  %-4s  (needs %s %.0f%%)\n",
			order[i], (long long)within, (long long)cmp, 100 * share, 100 * err,
			!strcmp(v, "FAIL") ? "FAIL" : v, maxerr > 0 ? "median |error| <=" : "share >=",
			100 * (maxerr > 0 ? maxerr : minshare));
	}
	w = json_object_get(root, "drift");
	if (json_array_size(json_object_get(w, "checks"))) {
		json_t *checks = json_object_get(w, "checks"), *x;
		fprintf(stderr, "  host drift (now / calibrated cycles of calibrate --drift's probes, bound +-%.0f%%):",
			100 * json_number_value(json_object_get(w, "bound")));
		json_array_foreach(checks, i, x) {
			json_t *g = json_object_get(x, "geomean");
			if (json_is_number(g))
				fprintf(stderr, " %.2f", json_number_value(g));
			else
				fprintf(stderr, " -");
		}
		if (json_is_number(json_object_get(w, "median")))
			fprintf(stderr, "; median %.3fx", json_number_value(json_object_get(w, "median")));
		fputc('\n', stderr);
	}
	w = json_object_get(root, "warnings");
	json_array_foreach(w, i, fams)
		fprintf(stderr, "  warning: %s\n", json_string_value(fams));
	json_decref(root);
	return fail;
}

int suite_run_opts_init(struct suite_run_opts *o, char *exe, size_t len, const char *cmd)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	ssize_t n;

	memset(o, 0, sizeof(*o));
	o->jobs = cpus > 0 ? (unsigned)cpus : 1;
	o->jobs_native = 1;
	o->sides = SUITE_NATIVE | SUITE_MODEL;
	o->progress = 1;
	o->analysis = 1;
	o->calibrate = 1;
	n = readlink("/proc/self/exe", exe, len - 1);
	if (n <= 0) {
		int e = n < 0 ? -errno : -ENOENT;
		mb_errno(cmd, e, "readlink /proc/self/exe");
		return e;
	}
	exe[n] = 0;
	o->exe = exe;
	return 0;
}

int suite_run(const struct suite *s, const struct suite_run_opts *o)
{
	struct run r;
	struct sigaction sa_stop, sa_chld, old_int, old_term, old_chld;
	sigset_t block, orig;
	char path[PATH_MAX];
	size_t nfail = 0, nok = 0, nkilled = 0, nskip = 0;
	int interrupted = 0, e;

	struct suite_run_opts oo = *o; /* with the profile "host" resolved */
	char hostprof[PATH_MAX];
	int verdict = -1;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.o = &oo;
	r.t0 = mb_now_ns();
	if (needs_host_profile(s, o)) {
		struct hostprof_opts h = { .cache_dir = o->profile_cache, .scratch = NULL, .exe = o->exe,
					   .calibrate = o->calibrate, .force = o->recalibrate,
					   .progress = 1 };
		int calibrated;
		if (hostprof_resolve(&h, hostprof, sizeof(hostprof), &calibrated))
			return 2;
		oo.ov.host_profile = hostprof;
		r.t0 = mb_now_ns(); /* the suite's own time, not calibrate's */
	}
	o = &oo;
	for (const char *sub = "traces\0cases\0logs\0"; *sub; sub += strlen(sub) + 1) {
		mb_sfmt(path, sizeof(path), "%s/%s", o->out_dir, sub);
		e = mb_mkdir_p(path);
		if (e) {
			mb_errno("suite", e, "creating %s", path);
			return 2;
		}
	}
	mb_sfmt(r.m[TASK_NATIVE].path, sizeof(r.m[0].path), "%s/native.json", o->out_dir);
	mb_sfmt(r.m[TASK_MODEL].path, sizeof(r.m[0].path), "%s/model.json", o->out_dir);
	if (build_tasks(&r)) {
		mb_err("suite", "out of memory for %zu cases", s->ncases);
		return 2;
	}

	stop_signal = 0;
	memset(&sa_stop, 0, sizeof(sa_stop));
	sa_stop.sa_handler = on_stop;
	sigemptyset(&sa_stop.sa_mask);
	memset(&sa_chld, 0, sizeof(sa_chld));
	sa_chld.sa_handler = on_child;
	sa_chld.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa_chld.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa_stop, &old_int);
	sigaction(SIGTERM, &sa_stop, &old_term);
	sigaction(SIGCHLD, &sa_chld, &old_chld);

	if (o->progress)
		fprintf(stderr, "suite %s: %zu cases, %zu runs (model x%u, native x%u at a time) -> %s\n",
			s->name, s->ncases, r.ncase_tasks, o->jobs, o->jobs_native, o->out_dir);
	if (run_phase(&r, TASK_TRACE, o->jobs, &orig) ||
	    run_phase(&r, TASK_MODEL, o->jobs, &orig) ||
	    run_phase(&r, TASK_NATIVE, o->jobs_native, &orig))
		interrupted = 1;
	/* the merged files, complete (or marked partial) before any analysis */
	for (int k = TASK_MODEL; k <= TASK_NATIVE; k++) {
		int partial = 0;
		if (!(o->sides & (k == TASK_MODEL ? SUITE_MODEL : SUITE_NATIVE)))
			continue;
		for (size_t i = 0; i < r.nt; i++)
			if ((int)r.t[i].kind == k && r.t[i].c && (r.t[i].state == TS_KILLED || r.t[i].state == TS_PENDING))
				partial = 1;
		if (k == TASK_NATIVE)
			attach_drift(&r);
		merged_write(&r, &r.m[k], partial);
	}
	if (!interrupted && o->analysis) {
		add_analysis(&r);
		if (run_phase(&r, TASK_ANALYSIS, 1, &orig))
			interrupted = 1;
	}
	if (!interrupted && o->analysis)
		verdict = print_verdicts(o->out_dir);
	write_summary(&r, interrupted);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &orig, NULL);

	for (size_t i = 0; i < r.nt; i++) {
		if (r.t[i].state == TS_FAILED)
			nfail++;
		else if (r.t[i].state == TS_OK && r.t[i].kind != TASK_TRACE)
			nok++;
		else if (r.t[i].state == TS_KILLED || r.t[i].state == TS_PENDING)
			nkilled++;
		else if (r.t[i].state == TS_SKIPPED)
			nskip++;
	}
	fprintf(stderr, "suite %s: %s after %.1f s: %zu ok, %zu skipped, %zu failed%s; native.json %zu cases, model.json %zu cases, in %s\n",
		s->name, interrupted ? "INTERRUPTED" : "done", (double)(mb_now_ns() - r.t0) / 1e9, nok,
		nskip, nfail, interrupted ? ", rest not run (results marked partial)" : "",
		r.m[TASK_NATIVE].ncases, r.m[TASK_MODEL].ncases, o->out_dir);
	(void)nkilled;
	if (nfail) {
		fprintf(stderr, "failures:\n");
		for (size_t i = 0; i < r.nt; i++)
			if (r.t[i].state == TS_FAILED)
				fprintf(stderr, "  %-8s %s: %s\n", kind_names[r.t[i].kind], r.t[i].label, r.t[i].why);
	}
	for (size_t i = 0; i < r.nt; i++)
		suite_argv_free(r.t[i].argv);
	free(r.t);
	json_decref(r.m[TASK_NATIVE].doc);
	json_decref(r.m[TASK_MODEL].doc);
	if (interrupted)
		return SUITE_EXIT_INTERRUPTED;
	if (nfail)
		return 1;
	if (o->require_agreement && verdict == 1) {
		fprintf(stderr, "suite %s: --require-agreement: a metric family FAILs (above): exit %d\n", s->name,
			SUITE_EXIT_DISAGREE);
		return SUITE_EXIT_DISAGREE;
	}
	if (o->require_agreement && verdict < 0) {
		fprintf(stderr, "suite %s: --require-agreement: no comparison was made (native and model both needed): exit %d\n",
			s->name, SUITE_EXIT_DISAGREE);
		return SUITE_EXIT_DISAGREE;
	}
	return 0;
}
