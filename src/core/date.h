/* Calendar helpers (proleptic Gregorian, UTC): date validation for declarations and
 * security.txt Expires: without relying on the local time zone. */
#ifndef JCS_CORE_DATE_H
#define JCS_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool jcs_leap_year(int y);
/* Days in month m (1-12) of year y, 0 for a month outside 1-12. */
int jcs_days_in_month(int y, int m);
/* Days since 1970-01-01 of a valid date. */
int64_t jcs_days_from_civil(int y, int m, int d);
/* Parse exactly n bytes of s as YYYY-MM-DD: 0 on success, JCS_EPARSE if the text has another
 * shape, JCS_EINVAL if it has the shape but is no calendar date (2025-02-30). */
int jcs_date_parse(const char *s, size_t n, int *y, int *m, int *d);
/* English month name ("February") for m in 1-12. */
const char *jcs_month_name(int m);

#endif
