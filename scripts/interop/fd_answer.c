/* A freeDiameter extension that answers every ACR (base accounting, application 3) and CCR
 * (credit control, application 4) with DIAMETER_SUCCESS at once: the minimal answering peer
 * that msrpcharge's Diameter client is measured against (scripts/freediameter-interop.sh builds
 * it with libfreediameter-dev). Answers echo the record type and number, so the client reads
 * them as it reads any ACA or CCA. Written for this project; no freeDiameter code copied. */
#include <freeDiameter/extension.h>

static struct disp_hdl *acr_handler, *ccr_handler;
static struct dict_object *record_type, *record_number, *request_type, *request_number;

static void echo(struct msg *req, struct msg *ans, struct dict_object *what)
{
	struct avp *in = NULL, *out = NULL;
	struct avp_hdr *h = NULL;
	if (fd_msg_search_avp(req, what, &in) || !in || fd_msg_avp_hdr(in, &h))
		return;
	if (fd_msg_avp_new(what, 0, &out) || fd_msg_avp_setvalue(out, h->avp_value) || fd_msg_avp_add(ans, MSG_BRW_LAST_CHILD, out))
		return;
}

static int answer(struct msg **msg, struct avp *avp, struct session *sess, void *opaque, enum disp_action *act)
{
	struct msg *req = *msg, *ans;
	int accounting = opaque != NULL;
	CHECK_FCT(fd_msg_new_answer_from_req(fd_g_config->cnf_dict, msg, 0));
	ans = *msg;
	CHECK_FCT(fd_msg_rescode_set(ans, "DIAMETER_SUCCESS", NULL, NULL, 1));
	echo(req, ans, accounting ? record_type : request_type);
	echo(req, ans, accounting ? record_number : request_number);
	CHECK_FCT(fd_msg_send(msg, NULL, NULL));
	*act = DISP_ACT_CONT;
	return 0;
}

static int find(int type, int criteria, void *what, struct dict_object **out)
{
	return fd_dict_search(fd_g_config->cnf_dict, type, criteria, what, out, ENOENT);
}

static int fd_answer_entry(char *conffile)
{
	struct disp_when when;
	application_id_t acct = 3, cc = 4;
	memset(&when, 0, sizeof(when));
	CHECK_FCT(find(DICT_AVP, AVP_BY_NAME, "Accounting-Record-Type", &record_type));
	CHECK_FCT(find(DICT_AVP, AVP_BY_NAME, "Accounting-Record-Number", &record_number));
	CHECK_FCT(find(DICT_AVP, AVP_BY_NAME, "CC-Request-Type", &request_type));
	CHECK_FCT(find(DICT_AVP, AVP_BY_NAME, "CC-Request-Number", &request_number));
	CHECK_FCT(find(DICT_APPLICATION, APPLICATION_BY_ID, &acct, &when.app));
	CHECK_FCT(find(DICT_COMMAND, CMD_BY_NAME, "Accounting-Request", &when.command));
	CHECK_FCT(fd_disp_register(answer, DISP_HOW_CC, &when, (void *)1, &acr_handler));
	CHECK_FCT(fd_disp_app_support(when.app, NULL, 0, 1));
	CHECK_FCT(find(DICT_APPLICATION, APPLICATION_BY_ID, &cc, &when.app));
	CHECK_FCT(find(DICT_COMMAND, CMD_BY_NAME, "Credit-Control-Request", &when.command));
	CHECK_FCT(fd_disp_register(answer, DISP_HOW_CC, &when, NULL, &ccr_handler));
	CHECK_FCT(fd_disp_app_support(when.app, NULL, 1, 0));
	return 0;
}

EXTENSION_ENTRY("fd_answer", fd_answer_entry);
