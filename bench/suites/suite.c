/* bench/suites/suite.c — being written. */
extern int suite_stub_suite;
int suite_stub_suite;
