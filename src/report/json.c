#include <stdlib.h>

#include "report/report.h"

static int render(const json_t *report, struct jcs_buf *out, struct jcs_err *err)
{
	char *s = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (!s)
		return jcs_err_set(err, JCS_ENOMEM, "out of memory");
	jcs_buf_puts(out, s); /* a failure is sticky in out: jcs_report_render checks it */
	jcs_buf_putc(out, '\n');
	free(s);
	return 0;
}

const struct jcs_report_writer jcs_writer_json = {.name = "json", .render = render};
