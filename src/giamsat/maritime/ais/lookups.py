"""Names for AIS codes, in Vietnamese and English: flag state by MID, ship and cargo type,
navigational status, aid-to-navigation type, position fixing device, AtoN light/RACON status.

Every function takes ``lang`` ("vi", the default UI language, or "en").
"""

from __future__ import annotations

# ITU Maritime Identification Digits -> ISO 3166-1 alpha-2 (ITU-R M.585 / MARS table).
_MID_RANGES: dict[str, tuple[int, ...]] = {
    "AL": (201,), "AD": (202,), "AT": (203,), "PT": (204, 255, 263), "BE": (205,),
    "BY": (206,), "BG": (207,), "VA": (208,), "CY": (209, 210, 212), "DE": (211, 218),
    "GE": (213,), "MD": (214,), "MT": (215, 229, 248, 249, 256), "AM": (216,),
    "DK": (219, 220), "ES": (224, 225), "FR": (226, 227, 228), "FI": (230,), "FO": (231,),
    "GB": (232, 233, 234, 235), "GI": (236,), "GR": (237, 239, 240, 241), "HR": (238,),
    "MA": (242,), "HU": (243,), "NL": (244, 245, 246), "IT": (247,), "IE": (250,),
    "IS": (251,), "LI": (252,), "LU": (253,), "MC": (254,), "NO": (257, 258, 259),
    "PL": (261,), "ME": (262,), "RO": (264,), "SE": (265, 266), "SK": (267,), "SM": (268,),
    "CH": (269,), "CZ": (270,), "TR": (271,), "UA": (272,), "RU": (273,), "MK": (274,),
    "LV": (275,), "EE": (276,), "LT": (277,), "SI": (278,), "RS": (279,),
    "AI": (301,), "US": (303, 338, 366, 367, 368, 369), "AG": (304, 305), "CW": (306,),
    "AW": (307,), "BS": (308, 309, 311), "BM": (310,), "BZ": (312,), "BB": (314,),
    "CA": (316,), "KY": (319,), "CR": (321,), "CU": (323,), "DM": (325,), "DO": (327,),
    "GP": (329,), "GD": (330,), "GL": (331,), "GT": (332,), "HN": (334,), "HT": (336,),
    "JM": (339,), "KN": (341,), "LC": (343,), "MX": (345,), "MQ": (347,), "MS": (348,),
    "NI": (350,), "PA": (351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373, 374),
    "PR": (358,), "SV": (359,), "PM": (361,), "TT": (362,), "TC": (364,),
    "VC": (375, 376, 377), "VG": (378,), "VI": (379,),
    "AF": (401,), "SA": (403,), "BD": (405,), "BH": (408,), "BT": (410,),
    "CN": (412, 413, 414), "TW": (416,), "LK": (417,), "IN": (419,), "IR": (422,),
    "AZ": (423,), "IQ": (425,), "IL": (428,), "JP": (431, 432), "TM": (434,), "KZ": (436,),
    "UZ": (437,), "JO": (438,), "KR": (440, 441), "PS": (443,), "KP": (445,), "KW": (447,),
    "LB": (450,), "KG": (451,), "MO": (453,), "MV": (455,), "MN": (457,), "NP": (459,),
    "OM": (461,), "PK": (463,), "QA": (466,), "SY": (468,), "AE": (470, 471), "TJ": (472,),
    "YE": (473, 475), "HK": (477,), "BA": (478,),
    "TF": (501, 607, 618, 635), "AU": (503,), "MM": (506,), "BN": (508,), "FM": (510,),
    "PW": (511,), "NZ": (512,), "KH": (514, 515), "CX": (516,), "CK": (518,), "FJ": (520,),
    "CC": (523,), "ID": (525,), "KI": (529,), "LA": (531,), "MY": (533,), "MP": (536,),
    "MH": (538,), "NC": (540,), "NU": (542,), "NR": (544,), "PF": (546,), "PH": (548,),
    "TL": (550,), "PG": (553,), "PN": (555,), "SB": (557,), "AS": (559,), "WS": (561,),
    "SG": (563, 564, 565, 566), "TH": (567,), "TO": (570,), "TV": (572,), "VN": (574,),
    "VU": (576, 577), "WF": (578,),
    "ZA": (601,), "AO": (603,), "DZ": (605,), "SH": (608, 665), "BI": (609,), "BJ": (610,),
    "BW": (611,), "CF": (612,), "CM": (613,), "CG": (615,), "KM": (616, 620), "CV": (617,),
    "CI": (619,), "DJ": (621,), "EG": (622,), "ET": (624,), "ER": (625,), "GA": (626,),
    "GH": (627,), "GM": (629,), "GW": (630,), "GQ": (631,), "GN": (632,), "BF": (633,),
    "KE": (634,), "LR": (636, 637), "SS": (638,), "LY": (642,), "LS": (644,), "MU": (645,),
    "MG": (647,), "ML": (649,), "MZ": (650,), "MR": (654,), "MW": (655,), "NE": (656,),
    "NG": (657,), "NA": (659,), "RE": (660,), "RW": (661,), "SD": (662,), "SN": (663,),
    "SC": (664,), "SO": (666,), "SL": (667,), "ST": (668,), "SZ": (669,), "TD": (670,),
    "TG": (671,), "TN": (672,), "TZ": (674, 677), "UG": (675,), "CD": (676,), "ZM": (678,),
    "ZW": (679,),
    "AR": (701,), "BR": (710,), "BO": (720,), "CL": (725,), "CO": (730,), "EC": (735,),
    "FK": (740,), "GF": (745,), "GY": (750,), "PY": (755,), "PE": (760,), "SR": (765,),
    "UY": (770,), "VE": (775,),
}  # fmt: skip

MID_TO_COUNTRY: dict[int, str] = {mid: iso for iso, mids in _MID_RANGES.items() for mid in mids}

COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "AL": ("Albania", "An-ba-ni"), "AD": ("Andorra", "An-đô-ra"), "AT": ("Austria", "Áo"),
    "PT": ("Portugal", "Bồ Đào Nha"), "BE": ("Belgium", "Bỉ"), "BY": ("Belarus", "Bê-la-rút"),
    "BG": ("Bulgaria", "Bun-ga-ri"), "VA": ("Vatican City", "Va-ti-căng"),
    "CY": ("Cyprus", "Síp"), "DE": ("Germany", "Đức"), "GE": ("Georgia", "Gru-di-a"),
    "MD": ("Moldova", "Môn-đô-va"), "MT": ("Malta", "Man-ta"), "AM": ("Armenia", "Ác-mê-ni-a"),
    "DK": ("Denmark", "Đan Mạch"), "ES": ("Spain", "Tây Ban Nha"), "FR": ("France", "Pháp"),
    "FI": ("Finland", "Phần Lan"), "FO": ("Faroe Islands", "Quần đảo Pha-rô"),
    "GB": ("United Kingdom", "Vương quốc Anh"), "GI": ("Gibraltar", "Gi-bran-ta"),
    "GR": ("Greece", "Hy Lạp"), "HR": ("Croatia", "Crô-a-ti-a"), "MA": ("Morocco", "Ma-rốc"),
    "HU": ("Hungary", "Hung-ga-ri"), "NL": ("Netherlands", "Hà Lan"), "IT": ("Italy", "I-ta-li-a"),
    "IE": ("Ireland", "Ai-len"), "IS": ("Iceland", "Ai-xơ-len"),
    "LI": ("Liechtenstein", "Lích-ten-xtai"), "LU": ("Luxembourg", "Lúc-xăm-bua"),
    "MC": ("Monaco", "Mô-na-cô"), "NO": ("Norway", "Na Uy"), "PL": ("Poland", "Ba Lan"),
    "ME": ("Montenegro", "Môn-tê-nê-grô"), "RO": ("Romania", "Ru-ma-ni"),
    "SE": ("Sweden", "Thụy Điển"), "SK": ("Slovakia", "Xlô-va-ki-a"),
    "SM": ("San Marino", "San Ma-ri-nô"), "CH": ("Switzerland", "Thụy Sĩ"),
    "CZ": ("Czechia", "Séc"), "TR": ("Türkiye", "Thổ Nhĩ Kỳ"), "UA": ("Ukraine", "U-crai-na"),
    "RU": ("Russia", "Nga"), "MK": ("North Macedonia", "Bắc Ma-xê-đô-ni-a"),
    "LV": ("Latvia", "Lát-vi-a"), "EE": ("Estonia", "E-xtô-ni-a"), "LT": ("Lithuania", "Lít-va"),
    "SI": ("Slovenia", "Xlô-ven-ni-a"), "RS": ("Serbia", "Xéc-bi-a"),
    "AI": ("Anguilla", "An-gui-la"), "US": ("United States", "Hoa Kỳ"),
    "AG": ("Antigua and Barbuda", "An-ti-gu-a và Bác-bu-đa"), "CW": ("Curaçao", "Cu-ra-xao"),
    "AW": ("Aruba", "A-ru-ba"), "BS": ("Bahamas", "Ba-ha-ma"), "BM": ("Bermuda", "Béc-mu-đa"),
    "BZ": ("Belize", "Bê-li-xê"), "BB": ("Barbados", "Bác-ba-đốt"), "CA": ("Canada", "Ca-na-đa"),
    "KY": ("Cayman Islands", "Quần đảo Cay-man"), "CR": ("Costa Rica", "Cô-xta Ri-ca"),
    "CU": ("Cuba", "Cu-ba"), "DM": ("Dominica", "Đô-mi-ni-ca"),
    "DO": ("Dominican Republic", "Cộng hòa Đô-mi-ni-ca"), "GP": ("Guadeloupe", "Goa-đơ-lốp"),
    "GD": ("Grenada", "Grê-na-đa"), "GL": ("Greenland", "Grơn-len"),
    "GT": ("Guatemala", "Goa-tê-ma-la"), "HN": ("Honduras", "Hôn-đu-rát"), "HT": ("Haiti", "Ha-i-ti"),
    "JM": ("Jamaica", "Gia-mai-ca"), "KN": ("Saint Kitts and Nevis", "Xanh Kít và Nê-vít"),
    "LC": ("Saint Lucia", "Xanh Lu-xi-a"), "MX": ("Mexico", "Mê-hi-cô"),
    "MQ": ("Martinique", "Mác-ti-ních"), "MS": ("Montserrat", "Môn-xe-rát"),
    "NI": ("Nicaragua", "Ni-ca-ra-goa"), "PA": ("Panama", "Pa-na-ma"),
    "PR": ("Puerto Rico", "Pu-éc-tô Ri-cô"), "SV": ("El Salvador", "En Xan-va-đo"),
    "PM": ("Saint Pierre and Miquelon", "Xanh Pi-e và Mi-cơ-lông"),
    "TT": ("Trinidad and Tobago", "Tri-ni-đát và Tô-ba-gô"),
    "TC": ("Turks and Caicos Islands", "Quần đảo Tớc và Cai-cốt"),
    "VC": ("Saint Vincent and the Grenadines", "Xanh Vin-xen và Grê-na-din"),
    "VG": ("British Virgin Islands", "Quần đảo Virgin thuộc Anh"),
    "VI": ("US Virgin Islands", "Quần đảo Virgin thuộc Mỹ"),
    "AF": ("Afghanistan", "Áp-ga-ni-xtan"), "SA": ("Saudi Arabia", "Ả Rập Xê-út"),
    "BD": ("Bangladesh", "Băng-la-đét"), "BH": ("Bahrain", "Ba-ranh"), "BT": ("Bhutan", "Bu-tan"),
    "CN": ("China", "Trung Quốc"), "TW": ("Taiwan", "Đài Loan"), "LK": ("Sri Lanka", "Xri Lan-ca"),
    "IN": ("India", "Ấn Độ"), "IR": ("Iran", "I-ran"), "AZ": ("Azerbaijan", "A-déc-bai-gian"),
    "IQ": ("Iraq", "I-rắc"), "IL": ("Israel", "I-xra-en"), "JP": ("Japan", "Nhật Bản"),
    "TM": ("Turkmenistan", "Tuốc-mê-ni-xtan"), "KZ": ("Kazakhstan", "Ca-dắc-xtan"),
    "UZ": ("Uzbekistan", "U-dơ-bê-ki-xtan"), "JO": ("Jordan", "Gioóc-đa-ni"),
    "KR": ("Korea (Republic of)", "Hàn Quốc"), "PS": ("Palestine", "Pa-le-xtin"),
    "KP": ("Korea (DPR)", "Triều Tiên"), "KW": ("Kuwait", "Cô-oét"), "LB": ("Lebanon", "Li-băng"),
    "KG": ("Kyrgyzstan", "Cư-rơ-gư-xtan"), "MO": ("Macao", "Ma Cao"),
    "MV": ("Maldives", "Man-đi-vơ"), "MN": ("Mongolia", "Mông Cổ"), "NP": ("Nepal", "Nê-pan"),
    "OM": ("Oman", "Ô-man"), "PK": ("Pakistan", "Pa-ki-xtan"), "QA": ("Qatar", "Ca-ta"),
    "SY": ("Syria", "Xy-ri"), "AE": ("United Arab Emirates", "Các Tiểu vương quốc Ả Rập Thống nhất"),
    "TJ": ("Tajikistan", "Tát-gi-ki-xtan"), "YE": ("Yemen", "Y-ê-men"),
    "HK": ("Hong Kong", "Hồng Công"), "BA": ("Bosnia and Herzegovina", "Bô-xni-a và Héc-dê-gô-vi-na"),
    "TF": ("French Southern Territories", "Lãnh thổ phía Nam thuộc Pháp"),
    "AU": ("Australia", "Ô-xtrây-li-a"), "MM": ("Myanmar", "Mi-an-ma"), "BN": ("Brunei", "Bru-nây"),
    "FM": ("Micronesia", "Mi-crô-nê-xi-a"), "PW": ("Palau", "Pa-lau"),
    "NZ": ("New Zealand", "Niu Di-lân"), "KH": ("Cambodia", "Cam-pu-chia"),
    "CX": ("Christmas Island", "Đảo Giáng Sinh"), "CK": ("Cook Islands", "Quần đảo Cook"),
    "FJ": ("Fiji", "Phi-gi"), "CC": ("Cocos (Keeling) Islands", "Quần đảo Cốc-cốt"),
    "ID": ("Indonesia", "In-đô-nê-xi-a"), "KI": ("Kiribati", "Ki-ri-ba-ti"), "LA": ("Laos", "Lào"),
    "MY": ("Malaysia", "Ma-lai-xi-a"), "MP": ("Northern Mariana Islands", "Quần đảo Bắc Ma-ri-a-na"),
    "MH": ("Marshall Islands", "Quần đảo Mác-san"), "NC": ("New Caledonia", "Niu Ca-lê-đô-ni-a"),
    "NU": ("Niue", "Ni-u-ê"), "NR": ("Nauru", "Nau-ru"), "PF": ("French Polynesia", "Pô-li-nê-di thuộc Pháp"),
    "PH": ("Philippines", "Phi-líp-pin"), "TL": ("Timor-Leste", "Ti-mo Lét-xtê"),
    "PG": ("Papua New Guinea", "Pa-pu-a Niu Ghi-nê"), "PN": ("Pitcairn", "Pít-các"),
    "SB": ("Solomon Islands", "Quần đảo Xô-lô-môn"), "AS": ("American Samoa", "Xa-moa thuộc Mỹ"),
    "WS": ("Samoa", "Xa-moa"), "SG": ("Singapore", "Xin-ga-po"), "TH": ("Thailand", "Thái Lan"),
    "TO": ("Tonga", "Tông-ga"), "TV": ("Tuvalu", "Tu-va-lu"), "VN": ("Viet Nam", "Việt Nam"),
    "VU": ("Vanuatu", "Va-nu-a-tu"), "WF": ("Wallis and Futuna", "Oa-li và Phu-tu-na"),
    "ZA": ("South Africa", "Nam Phi"), "AO": ("Angola", "Ăng-gô-la"), "DZ": ("Algeria", "An-giê-ri"),
    "SH": ("Saint Helena, Ascension", "Xanh Hê-lê-na, Át-xen-xi-ôn"), "BI": ("Burundi", "Bu-run-đi"),
    "BJ": ("Benin", "Bê-nanh"), "BW": ("Botswana", "Bốt-xoa-na"),
    "CF": ("Central African Republic", "Cộng hòa Trung Phi"), "CM": ("Cameroon", "Ca-mơ-run"),
    "CG": ("Congo", "Công-gô"), "KM": ("Comoros", "Cô-mo"), "CV": ("Cabo Verde", "Cáp Ve"),
    "CI": ("Côte d'Ivoire", "Bờ Biển Ngà"), "DJ": ("Djibouti", "Gi-bu-ti"), "EG": ("Egypt", "Ai Cập"),
    "ET": ("Ethiopia", "Ê-ti-ô-pi-a"), "ER": ("Eritrea", "Ê-ri-tơ-ri-a"), "GA": ("Gabon", "Ga-bông"),
    "GH": ("Ghana", "Ga-na"), "GM": ("Gambia", "Găm-bi-a"), "GW": ("Guinea-Bissau", "Ghi-nê Bít-xao"),
    "GQ": ("Equatorial Guinea", "Ghi-nê Xích Đạo"), "GN": ("Guinea", "Ghi-nê"),
    "BF": ("Burkina Faso", "Buốc-ki-na Pha-xô"), "KE": ("Kenya", "Kê-ni-a"),
    "LR": ("Liberia", "Li-bê-ri-a"), "SS": ("South Sudan", "Nam Xu-đăng"), "LY": ("Libya", "Li-bi"),
    "LS": ("Lesotho", "Lê-xô-thô"), "MU": ("Mauritius", "Mô-ri-xơ"),
    "MG": ("Madagascar", "Ma-đa-gát-xca"), "ML": ("Mali", "Ma-li"), "MZ": ("Mozambique", "Mô-dăm-bích"),
    "MR": ("Mauritania", "Mô-ri-ta-ni"), "MW": ("Malawi", "Ma-la-uy"), "NE": ("Niger", "Ni-giê"),
    "NG": ("Nigeria", "Ni-giê-ri-a"), "NA": ("Namibia", "Na-mi-bi-a"), "RE": ("Réunion", "Rê-u-ni-ông"),
    "RW": ("Rwanda", "Ru-an-đa"), "SD": ("Sudan", "Xu-đăng"), "SN": ("Senegal", "Xê-nê-gan"),
    "SC": ("Seychelles", "Xây-sen"), "SO": ("Somalia", "Xô-ma-li"), "SL": ("Sierra Leone", "Xi-ê-ra Lê-ôn"),
    "ST": ("Sao Tome and Principe", "Xao Tô-mê và Prin-xi-pê"), "SZ": ("Eswatini", "E-xoa-ti-ni"),
    "TD": ("Chad", "Sát"), "TG": ("Togo", "Tô-gô"), "TN": ("Tunisia", "Tuy-ni-di"),
    "TZ": ("Tanzania", "Tan-da-ni-a"), "UG": ("Uganda", "U-gan-đa"),
    "CD": ("Congo (Democratic Republic)", "Cộng hòa Dân chủ Công-gô"), "ZM": ("Zambia", "Dăm-bi-a"),
    "ZW": ("Zimbabwe", "Dim-ba-bu-ê"), "AR": ("Argentina", "Ác-hen-ti-na"), "BR": ("Brazil", "Bra-xin"),
    "BO": ("Bolivia", "Bô-li-vi-a"), "CL": ("Chile", "Chi-lê"), "CO": ("Colombia", "Cô-lôm-bi-a"),
    "EC": ("Ecuador", "Ê-cu-a-đo"), "FK": ("Falkland Islands", "Quần đảo Phoóc-len"),
    "GF": ("French Guiana", "Guy-an thuộc Pháp"), "GY": ("Guyana", "Guy-a-na"),
    "PY": ("Paraguay", "Pa-ra-goay"), "PE": ("Peru", "Pê-ru"), "SR": ("Suriname", "Xu-ri-nam"),
    "UY": ("Uruguay", "U-ru-goay"), "VE": ("Venezuela", "Vê-nê-xu-ê-la"),
}  # fmt: skip


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "vi" else pair[0]


def mid_of(mmsi: int) -> int | None:
    """The MID inside an MMSI, following ITU-R M.585 number formats.

    MIDxxxxxx ship, 0MIDxxxxx group, 00MIDxxxx coast station, 111MIDxxx SAR aircraft,
    8MIDxxxxx handheld VHF, 98MIDxxxx associated craft, 99MIDxxxx aid to navigation.
    970/972/974 devices (AIS-SART, MOB, EPIRB) carry no MID.
    """
    if not 0 < mmsi <= 999_999_999:
        return None
    text = f"{mmsi:09d}"
    if text.startswith("00"):
        mid = int(text[2:5])
    elif text.startswith("0"):
        mid = int(text[1:4])
    elif text.startswith("111"):
        mid = int(text[3:6])
    elif text.startswith(("98", "99")):
        mid = int(text[2:5])
    elif text.startswith("97"):
        return None
    elif text.startswith("8"):
        mid = int(text[1:4])
    else:
        mid = int(text[:3])
    return mid if mid in MID_TO_COUNTRY else None


def flag_country(mmsi: int) -> str | None:
    """ISO 3166 alpha-2 code of the flag state (None when the MMSI carries no known MID)."""
    mid = mid_of(mmsi)
    return MID_TO_COUNTRY.get(mid) if mid is not None else None


def country_name(iso: str | None, lang: str = "vi") -> str | None:
    if iso is None or iso not in COUNTRY_NAMES:
        return None
    return _pick(COUNTRY_NAMES[iso], lang)


def station_kind(mmsi: int) -> str:
    """What the MMSI format says the station is: ship, coast, group, sar_aircraft, aton,
    auxiliary, handheld, sart, mob, epirb or unknown."""
    text = f"{mmsi:09d}" if 0 <= mmsi <= 999_999_999 else ""
    if not text:
        return "unknown"
    if text.startswith("970"):
        return "sart"
    if text.startswith("972"):
        return "mob"
    if text.startswith("974"):
        return "epirb"
    if text.startswith("99"):
        return "aton"
    if text.startswith("98"):
        return "auxiliary"
    if text.startswith("111"):
        return "sar_aircraft"
    if text.startswith("00"):
        return "coast"
    if text.startswith("0"):
        return "group"
    if text.startswith("8"):
        return "handheld"
    return "ship" if text[0] in "234567" else "unknown"


NAV_STATUS: dict[int, tuple[str, str]] = {
    0: ("Under way using engine", "Đang hành trình bằng máy"),
    1: ("At anchor", "Đang neo"),
    2: ("Not under command", "Mất khả năng điều động"),
    3: ("Restricted manoeuvrability", "Hạn chế khả năng điều động"),
    4: ("Constrained by her draught", "Bị hạn chế bởi mớn nước"),
    5: ("Moored", "Đang buộc cầu"),
    6: ("Aground", "Mắc cạn"),
    7: ("Engaged in fishing", "Đang đánh bắt cá"),
    8: ("Under way sailing", "Đang hành trình bằng buồm"),
    9: ("Reserved (HSC)", "Dự phòng (tàu cao tốc)"),
    10: ("Reserved (WIG)", "Dự phòng (tàu đệm khí cánh)"),
    11: ("Power-driven vessel towing astern", "Tàu máy đang lai kéo phía sau"),
    12: ("Power-driven vessel pushing ahead or towing alongside",
         "Tàu máy đang đẩy phía trước hoặc lai áp mạn"),
    13: ("Reserved", "Dự phòng"),
    14: ("AIS-SART, MOB-AIS or EPIRB-AIS active", "AIS-SART, MOB-AIS hoặc EPIRB-AIS đang phát"),
    15: ("Undefined", "Không xác định"),
}  # fmt: skip

ATON_TYPES: dict[int, tuple[str, str]] = {
    0: ("Not specified", "Không xác định"),
    1: ("Reference point", "Điểm tham chiếu"),
    2: ("RACON", "RACON (trạm phản xạ ra-đa)"),
    3: ("Fixed structure off shore", "Công trình cố định ngoài khơi"),
    4: ("Spare", "Dự phòng"),
    5: ("Light, without sectors", "Đèn không có cung chiếu sáng"),
    6: ("Light, with sectors", "Đèn có cung chiếu sáng"),
    7: ("Leading light front", "Đèn chập trước"),
    8: ("Leading light rear", "Đèn chập sau"),
    9: ("Beacon, cardinal N", "Tiêu hướng Bắc"),
    10: ("Beacon, cardinal E", "Tiêu hướng Đông"),
    11: ("Beacon, cardinal S", "Tiêu hướng Nam"),
    12: ("Beacon, cardinal W", "Tiêu hướng Tây"),
    13: ("Beacon, port hand", "Tiêu giới hạn bên trái luồng"),
    14: ("Beacon, starboard hand", "Tiêu giới hạn bên phải luồng"),
    15: ("Beacon, preferred channel port hand", "Tiêu chuyển hướng luồng, luồng chính bên phải"),
    16: (
        "Beacon, preferred channel starboard hand",
        "Tiêu chuyển hướng luồng, luồng chính bên trái",
    ),
    17: ("Beacon, isolated danger", "Tiêu chướng ngại vật biệt lập"),
    18: ("Beacon, safe water", "Tiêu vùng nước an toàn"),
    19: ("Beacon, special mark", "Tiêu chuyên dùng"),
    20: ("Cardinal mark N", "Phao hướng Bắc"),
    21: ("Cardinal mark E", "Phao hướng Đông"),
    22: ("Cardinal mark S", "Phao hướng Nam"),
    23: ("Cardinal mark W", "Phao hướng Tây"),
    24: ("Port hand mark", "Phao giới hạn bên trái luồng"),
    25: ("Starboard hand mark", "Phao giới hạn bên phải luồng"),
    26: ("Preferred channel port hand", "Phao chuyển hướng luồng, luồng chính bên phải"),
    27: ("Preferred channel starboard hand", "Phao chuyển hướng luồng, luồng chính bên trái"),
    28: ("Isolated danger", "Phao chướng ngại vật biệt lập"),
    29: ("Safe water", "Phao vùng nước an toàn"),
    30: ("Special mark", "Phao chuyên dùng"),
    31: ("Light vessel, LANBY or rig", "Tàu đèn, phao đèn lớn hoặc giàn khoan"),
}

EPFD: dict[int, tuple[str, str]] = {
    0: ("Undefined", "Không xác định"),
    1: ("GPS", "GPS"),
    2: ("GLONASS", "GLONASS"),
    3: ("Combined GPS/GLONASS", "GPS/GLONASS kết hợp"),
    4: ("Loran-C", "Loran-C"),
    5: ("Chayka", "Chayka"),
    6: ("Integrated navigation system", "Hệ thống dẫn đường tích hợp"),
    7: ("Surveyed", "Vị trí khảo sát"),
    8: ("Galileo", "Galileo"),
    15: ("Internal GNSS", "GNSS tích hợp"),
}

RACON_STATUS: dict[int, tuple[str, str]] = {
    0: ("No RACON installed", "Không lắp RACON"),
    1: ("RACON installed, not monitored", "Có RACON, không giám sát"),
    2: ("RACON operational", "RACON hoạt động"),
    3: ("RACON error", "RACON lỗi"),
}

LIGHT_STATUS: dict[int, tuple[str, str]] = {
    0: ("No light or not monitored", "Không có đèn hoặc không giám sát"),
    1: ("Light on", "Đèn sáng"),
    2: ("Light off", "Đèn tắt"),
    3: ("Light failed or reduced range", "Đèn hỏng hoặc giảm tầm hiệu lực"),
}

_HAZARD = {1: ("hazardous category A", "hàng nguy hiểm loại A"),
           2: ("hazardous category B", "hàng nguy hiểm loại B"),
           3: ("hazardous category C", "hàng nguy hiểm loại C"),
           4: ("hazardous category D", "hàng nguy hiểm loại D"),
           9: ("no additional information", "không có thông tin thêm")}  # fmt: skip

_SHIP_GROUPS = {
    2: ("Wing in ground (WIG)", "Tàu đệm khí cánh (WIG)"),
    4: ("High speed craft (HSC)", "Tàu cao tốc"),
    6: ("Passenger", "Tàu khách"),
    7: ("Cargo", "Tàu hàng"),
    8: ("Tanker", "Tàu chở hàng lỏng (dầu, hóa chất, khí)"),
    9: ("Other type", "Loại khác"),
}

_SHIP_SPECIAL = {
    0: ("Not available", "Không có thông tin"),
    30: ("Fishing", "Tàu cá"),
    31: ("Towing", "Tàu lai kéo"),
    32: ("Towing, length over 200 m or breadth over 25 m", "Tàu lai kéo, dài trên 200 m hoặc rộng trên 25 m"),
    33: ("Dredging or underwater operations", "Nạo vét hoặc thi công dưới nước"),
    34: ("Diving operations", "Hoạt động lặn"),
    35: ("Military operations", "Hoạt động quân sự"),
    36: ("Sailing", "Tàu buồm"),
    37: ("Pleasure craft", "Tàu du lịch, thể thao"),
    50: ("Pilot vessel", "Tàu hoa tiêu"),
    51: ("Search and rescue vessel", "Tàu tìm kiếm cứu nạn"),
    52: ("Tug", "Tàu kéo"),
    53: ("Port tender", "Tàu công vụ cảng"),
    54: ("Anti-pollution equipment", "Tàu chống ô nhiễm"),
    55: ("Law enforcement", "Tàu thực thi pháp luật"),
    56: ("Spare, local vessel", "Dự phòng, tàu địa phương"),
    57: ("Spare, local vessel", "Dự phòng, tàu địa phương"),
    58: ("Medical transport", "Tàu vận chuyển y tế"),
    59: ("Noncombatant ship (RR Resolution No. 18)", "Tàu không tham chiến (Nghị quyết RR số 18)"),
}  # fmt: skip


def ship_type(code: int | None, lang: str = "vi") -> str | None:
    """Name of a ship and cargo type (messages 5, 19, 24)."""
    if code is None:
        return None
    if code in _SHIP_SPECIAL:
        return _pick(_SHIP_SPECIAL[code], lang)
    group, digit = divmod(code, 10)
    if group in _SHIP_GROUPS and 0 <= code < 100:
        base = _pick(_SHIP_GROUPS[group], lang)
        if digit == 0:
            return base
        if digit in _HAZARD:
            return f"{base}, {_pick(_HAZARD[digit], lang)}"
        return f"{base}, {'dự phòng' if lang == 'vi' else 'reserved'}"
    if 1 <= code < 100:
        return "Dự phòng" if lang == "vi" else "Reserved"
    return None


def nav_status(code: int | None, lang: str = "vi") -> str | None:
    return _pick(NAV_STATUS[code], lang) if code in NAV_STATUS else None


def aton_type(code: int | None, lang: str = "vi") -> str | None:
    return _pick(ATON_TYPES[code], lang) if code in ATON_TYPES else None


def epfd(code: int | None, lang: str = "vi") -> str | None:
    if code in EPFD:
        return _pick(EPFD[code], lang)
    return None if code is None else ("Dự phòng" if lang == "vi" else "Reserved")


def racon_status(code: int | None, lang: str = "vi") -> str | None:
    return _pick(RACON_STATUS[code], lang) if code in RACON_STATUS else None


def light_status(code: int | None, lang: str = "vi") -> str | None:
    return _pick(LIGHT_STATUS[code], lang) if code in LIGHT_STATUS else None
