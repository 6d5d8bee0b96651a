/* bench/suites/calibrate.c — being written. */
extern int suite_stub_calibrate;
int suite_stub_calibrate;
