/* Telnet module on recorded dialogues through the replay transport. */
#include "t.h"
#include "probe/probe.h"

#define SEG(s) s, sizeof(s) - 1

/* busybox telnetd + login (Debian 12), recorded: negotiation, login, MOTD, prompt, our echo */
static const char *const busybox_ok[] = {
	"\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03\r\r\nDebian GNU/Linux 12\r\n\rvm login: ",
	"support\r\nPassword: ",
	"\r\n\r\nThe programs included with the Debian GNU/Linux system are free software;\r\n"
	"permitted by applicable law.\r\n$ ",
	"echo JCS$((1042+59))Z\r\nJCS1101Z\r\n$ ",
};

static int run(const char *const *segs, size_t n, const char *user, const char *pass, size_t chunk,
	       struct jcs_login_result *r, struct jcs_buf *tx)
{
	struct jcs_tr t;
	size_t lens[16];
	int rc;

	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(segs[i]);
	T_EQ_INT(jcs_tr_init_script(&t, segs, lens, n, chunk), 0);
	rc = jcs_telnet_session(&t, user, pass, 42, 300, r);
	if (tx)
		jcs_buf_append(tx, t.tx.data ? t.tx.data : "", t.tx.len);
	jcs_tr_close(&t);
	return rc;
}

T_TEST(login_confirmed)
{
	struct jcs_login_result r = {0};
	struct jcs_buf tx = JCS_BUF_INIT;

	for (size_t chunk = 1; chunk <= 4096; chunk *= 8) {
		jcs_buf_reset(&tx);
		jcs_buf_reset(&r.transcript);
		T_EQ_INT(run(busybox_ok, 4, "support", "support", chunk, &r, &tx), 0);
		T_EQ_INT(r.outcome, JCS_LOGIN_OK);
		T_CONTAINS(tx.data, "support\r\nsupport\r\n");
		T_CONTAINS(tx.data, "echo JCS$((1042+59))Z\r\n");
		/* our answers to DO ECHO / DO NAWS / WILL ECHO / WILL SGA */
		T_ASSERT(memmem(tx.data, tx.len, "\xff\xfc\x01\xff\xfc\x1f\xff\xfd\x01\xff\xfd\x03", 12) != NULL);
		T_CONTAINS(r.transcript.data, "JCS1101Z");
		T_ASSERT(strstr(r.transcript.data, "support\n> ********") != NULL || strstr(r.transcript.data, "********"));
	}
	jcs_buf_free(&r.transcript);
	jcs_buf_free(&tx);
}

/* A honeypot-like device: "#" prompt after any password, but our command is only echoed back
 * as typed, never evaluated. The classic false positive: must not count as a login. */
T_TEST(prompt_without_shell_is_not_success)
{
	static const char *const fake[] = {
		"login: ", "root\r\nPassword: ", "\r\n# ", "echo JCS$((1042+59))Z\r\nJCS$((1042+59))Z\r\n# ",
	};
	struct jcs_login_result r = {0};

	T_EQ_INT(run(fake, 4, "root", "xc3511", 64, &r, NULL), 0);
	T_ASSERT(r.outcome != JCS_LOGIN_OK);
	T_CONTAINS(r.note, "no command ran");
	jcs_buf_free(&r.transcript);
}

T_TEST(login_refused)
{
	static const char *const refused[] = {
		"\xff\xfb\x01vm login: ", "admin\r\nPassword: ", "\r\nLogin incorrect\r\nvm login: ",
	};
	struct jcs_login_result r = {0};

	T_EQ_INT(run(refused, 3, "admin", "admin", 5, &r, NULL), 0);
	T_EQ_INT(r.outcome, JCS_LOGIN_DENIED);
	jcs_buf_free(&r.transcript);
}

T_TEST(lockout_message)
{
	static const char *const locked[] = {
		"login: ", "admin\r\nPassword: ", "\r\nToo many failed attempts, account locked\r\nlogin: ",
	};
	struct jcs_login_result r = {0};

	T_EQ_INT(run(locked, 3, "admin", "x", 4096, &r, NULL), 0);
	T_EQ_INT(r.outcome, JCS_LOGIN_THROTTLED);
	jcs_buf_free(&r.transcript);
}

T_TEST(shell_without_login)
{
	static const char *const open_shell[] = {
		"\r\nBusyBox v1.19.4 built-in shell (ash)\r\n# ", "JCS1101Z\r\n# ",
	};
	struct jcs_login_result r = {0};

	T_EQ_INT(run(open_shell, 2, NULL, NULL, 3, &r, NULL), 0);
	T_EQ_INT(r.outcome, JCS_LOGIN_OK);
	jcs_buf_free(&r.transcript);
}

/* IAC sequences only, never a prompt: the session ends on its byte cap, not a hang. */
T_TEST(iac_flood_is_bounded)
{
	size_t n = 4 << 20;
	char *flood = malloc(n);
	struct jcs_tr t;
	struct jcs_login_result r = {0};

	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(flood + i, "\xff\xfb\x18", 3);
	jcs_tr_init_replay(&t, flood, n - n % 3, 4096);
	T_EQ_INT(jcs_telnet_session(&t, "root", "root", 1, 60000, &r), 0);
	T_ASSERT(r.outcome != JCS_LOGIN_OK);
	T_ASSERT(t.bytes_in <= 17 * (64 << 10));
	jcs_tr_close(&t);
	jcs_buf_free(&r.transcript);
	free(flood);
}

T_TEST(filter_subnegotiation_and_escaped_iac)
{
	struct jcs_telnet st = {0};
	struct jcs_buf out = JCS_BUF_INIT, reply = JCS_BUF_INIT;
	static const uint8_t in[] = {'a', 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 'b', 0xff, 0xff, 'c', 0xff, 0xfd};

	/* split mid-command: state carries over */
	T_EQ_INT(jcs_telnet_filter(&st, in, sizeof(in), &out, &reply), 3);
	T_EQ_INT(jcs_telnet_filter(&st, (const uint8_t *)"\x05z", 2, &out, &reply), 0);
	T_EQ_INT(out.len, 5);
	T_ASSERT(memcmp(out.data, "ab\xff" "cz", 5) == 0);
	T_ASSERT(reply.len == 3 && memcmp(reply.data, "\xff\xfc\x05", 3) == 0);
	jcs_buf_free(&out);
	jcs_buf_free(&reply);
}

T_MAIN(T_CASE(login_confirmed), T_CASE(prompt_without_shell_is_not_success), T_CASE(login_refused),
       T_CASE(lockout_message), T_CASE(shell_without_login), T_CASE(iac_flood_is_bounded),
       T_CASE(filter_subnegotiation_and_escaped_iac))
