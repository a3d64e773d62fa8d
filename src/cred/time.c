/* STS and the metadata service write Expiration as "2026-12-06T03:00:00Z" (both libraries parse
 * it with exactly that layout: credentials-go time.Parse("2006-01-02T15:04:05Z"),
 * credentials-python time.strptime('%Y-%m-%dT%H:%M:%SZ')). Strict: anything else is refused
 * rather than guessed, since a wrong expiry means refreshing too late. */
#include <stdbool.h>
#include <stdint.h>

#include "cred/provider.h"

#include "util/banned.h"

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool sf_cred_parse_expiration(const char *text, int64_t *out)
{
    /* YYYY-MM-DDTHH:MM:SSZ */
    static const char layout[] = "dddd-dd-ddTdd:dd:ddZ";
    for (int i = 0; i < 20; i++) {
        if (text[i] == '\0') {
            return false;
        }
        if (layout[i] != 'd' && text[i] != layout[i]) {
            return false;
        }
    }
    if (text[20] != '\0') {
        return false;
    }
    int y, mo, d, h, mi, s;
    if (!digits(text, 4, &y) || !digits(text + 5, 2, &mo) || !digits(text + 8, 2, &d) ||
        !digits(text + 11, 2, &h) || !digits(text + 14, 2, &mi) || !digits(text + 17, 2, &s)) {
        return false;
    }
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) {
        return false;
    }
    int max_day = month_days[mo - 1] + (mo == 2 && is_leap(y));
    if (d > max_day) {
        return false;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return true;
}
