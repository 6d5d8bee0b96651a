/* bench/suites/runner.c — being written. */
extern int suite_stub_runner;
int suite_stub_runner;
