#!/usr/bin/env python3
"""Writes Diameter messages made by an independent encoder (PyPI's python-diameter) with the
field values it was given, for Tests/DiameterTests to decode and compare.

Usage: scripts/diameter-fixtures.py OUT.json   (pip install python-diameter first)
"""
import json
import sys

from diameter.message import Message
from diameter.message.avp import Avp
from diameter.message.avp.grouped import (
    FinalUnitIndication, GrantedServiceUnit, MultipleServicesCreditControl, RequestedServiceUnit,
    UsedServiceUnit)
from diameter.message.commands import (
    AccountingAnswer, AccountingRequest, CapabilitiesExchangeAnswer, CapabilitiesExchangeRequest,
    CreditControlAnswer, CreditControlRequest, DeviceWatchdogRequest, DisconnectPeerRequest)
from diameter.message.constants import *

out = []


def add(name, msg, fields):
    msg.header.hop_by_hop_identifier = 0x1234_5678
    msg.header.end_to_end_identifier = 0x9ABC_DEF0
    out.append({"name": name, "hex": msg.as_bytes().hex(), "fields": fields})


acr = AccountingRequest()
acr.header.is_proxyable = True
acr.header.application_id = 3
acr.session_id = "ims.example.org;1700;0;s00000ab"
acr.origin_host = b"ims.example.org"
acr.origin_realm = b"example.org"
acr.destination_realm = b"charging.example.org"
acr.accounting_record_type = E_ACCOUNTING_RECORD_TYPE_INTERIM_RECORD
acr.accounting_record_number = 7
acr.acct_application_id = 3
acr.append_avp(Avp.new(AVP_ACCOUNTING_INPUT_OCTETS, value=123456789012))
acr.append_avp(Avp.new(AVP_ACCOUNTING_INPUT_PACKETS, value=42))
add("acr", acr, {"sessionID": "ims.example.org;1700;0;s00000ab", "originHost": "ims.example.org",
                 "originRealm": "example.org", "destinationRealm": "charging.example.org",
                 "recordType": 3, "recordNumber": 7, "inputOctets": 123456789012, "inputPackets": 42})

aca = AccountingAnswer()
aca.header.application_id = 3
aca.session_id = "ims.example.org;1700;0;s00000ab"
aca.result_code = E_RESULT_CODE_DIAMETER_SUCCESS
aca.origin_host = b"ofcs.example.org"
aca.origin_realm = b"charging.example.org"
aca.accounting_record_type = E_ACCOUNTING_RECORD_TYPE_INTERIM_RECORD
aca.accounting_record_number = 7
aca.acct_interim_interval = 30
add("aca", aca, {"resultCode": 2001, "recordType": 3, "recordNumber": 7, "interimInterval": 30})

ccr = CreditControlRequest()
ccr.header.is_proxyable = True
ccr.header.application_id = 4
ccr.session_id = "ims.example.org;1700;1;s00000ab"
ccr.origin_host = b"ims.example.org"
ccr.origin_realm = b"example.org"
ccr.destination_realm = b"charging.example.org"
ccr.auth_application_id = 4
ccr.service_context_id = "msrp@example.org"
ccr.cc_request_type = E_CC_REQUEST_TYPE_UPDATE_REQUEST
ccr.cc_request_number = 2
ccr.add_subscription_id(E_SUBSCRIPTION_ID_TYPE_END_USER_SIP_URI, "sip:alice@example.org")
ccr.add_multiple_services_credit_control(
    requested_service_unit=RequestedServiceUnit(cc_total_octets=1000000),
    used_service_unit=UsedServiceUnit(cc_total_octets=4096))
add("ccr", ccr, {"sessionID": "ims.example.org;1700;1;s00000ab", "serviceContextID": "msrp@example.org",
                 "requestType": 2, "requestNumber": 2, "subscriptionIDType": 2,
                 "subscriptionIDData": "sip:alice@example.org", "requestedUnits": 1000000, "usedUnits": 4096})

cca = CreditControlAnswer()
cca.header.application_id = 4
cca.session_id = "ims.example.org;1700;1;s00000ab"
cca.result_code = E_RESULT_CODE_DIAMETER_SUCCESS
cca.origin_host = b"ocs.example.org"
cca.origin_realm = b"charging.example.org"
cca.auth_application_id = 4
cca.cc_request_type = E_CC_REQUEST_TYPE_UPDATE_REQUEST
cca.cc_request_number = 2
cca.add_multiple_services_credit_control(
    granted_service_unit=GrantedServiceUnit(cc_total_octets=500000),
    validity_time=60, result_code=E_RESULT_CODE_DIAMETER_SUCCESS,
    final_unit_indication=FinalUnitIndication(final_unit_action=E_FINAL_UNIT_ACTION_TERMINATE))
add("cca", cca, {"resultCode": 2001, "requestType": 2, "requestNumber": 2, "grantedUnits": 500000,
                 "validityTime": 60, "serviceResultCode": 2001, "finalUnitAction": 0})

# python-diameter 0.9.0 lists Credit-Control-Failure-Handling twice in its CCA definition and
# so writes the AVP twice; RFC 4006 §3.2 allows one: a decoder must refuse it with 5009.
cca.credit_control_failure_handling = E_CREDIT_CONTROL_FAILURE_HANDLING_CONTINUE
add("cca-failure-handling-twice", cca, {"error": 5009})

cer = CapabilitiesExchangeRequest()
cer.origin_host = b"ims.example.org"
cer.origin_realm = b"example.org"
cer.host_ip_address = "198.51.100.7"
cer.vendor_id = 0
cer.product_name = "independent"
cer.origin_state_id = 99
cer.auth_application_id = [4]
cer.acct_application_id = [3]
add("cer", cer, {"originHost": "ims.example.org", "originRealm": "example.org", "productName": "independent",
                 "originStateID": 99, "applications": 3})

dwr = DeviceWatchdogRequest()
dwr.origin_host = b"ims.example.org"
dwr.origin_realm = b"example.org"
dwr.origin_state_id = 99
add("dwr", dwr, {"originHost": "ims.example.org", "originRealm": "example.org", "originStateID": 99})

dpr = DisconnectPeerRequest()
dpr.origin_host = b"ims.example.org"
dpr.origin_realm = b"example.org"
dpr.disconnect_cause = E_DISCONNECT_CAUSE_DO_NOT_WANT_TO_TALK_TO_YOU
add("dpr", dpr, {"originHost": "ims.example.org", "originRealm": "example.org", "disconnectCause": 2})

json.dump(out, open(sys.argv[1], "w"), indent=1)
