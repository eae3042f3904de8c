"""The currencies a store, an order, a remedy or a follow-up policy may be in: ISO 4217's active codes.

Source: ISO 4217 "List one: current currency & funds code list", as published by SIX Financial Information for the
ISO 4217 Maintenance Agency (https://www.six-group.com/en/products-services/financial-information/data-standards.html),
as it stands in 2025 (with ZWG for ZWL, SLE for SLL, XCG for ANG). Two entries of that list are left out because they
name no money: XTS (reserved for testing) and XXX ("no currency"). No library the project already depends on carries
the list (Babel is not among them), so it is kept here; a code withdrawn from the list (HRK, ANG, ZWL, SLL, CUC ...)
is refused for new input, while rows saved with one keep it (ADR 0036).
"""

_LIST_ONE = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF
XPT XSU XUA YER ZAR ZMW ZWG
"""
ISO_4217_ACTIVE = frozenset(_LIST_ONE.split())
