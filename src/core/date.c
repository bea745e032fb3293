#include "jcstar/jcstar.h"
#include "core/date.h"

bool jcs_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int jcs_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && jcs_leap_year(y) ? 29 : days[m - 1];
}

/* Howard Hinnant's days_from_civil. */
int64_t jcs_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int jcs_date_parse(const char *s, size_t n, int *y, int *m, int *d)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return JCS_EPARSE;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	if (*y < 0 || *m < 0 || *d < 0)
		return JCS_EPARSE;
	if (*y < 1 || *d < 1 || *d > jcs_days_in_month(*y, *m))
		return JCS_EINVAL;
	return 0;
}

const char *jcs_month_name(int m)
{
	static const char *const names[12] = {"January", "February", "March", "April", "May", "June",
					      "July", "August", "September", "October", "November",
					      "December"};

	return m >= 1 && m <= 12 ? names[m - 1] : "?";
}
