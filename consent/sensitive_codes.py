"""Which codes make a record sensitive: the tables consent.sensitivity reads. Data only.

Kept to codes whose meaning is certain. A code system's hierarchy cannot be walked without a
terminology server, so SNOMED CT and LOINC are listed concept by concept (descendants of a
listed concept are not caught); ICD-10 and ATC are classified by their ranges and prefixes,
which are their hierarchy. Where a code is both, it carries both labels.
"""
from consent.vocabulary import (GENETIC, HIV, MENTAL_HEALTH, RESTRICTED, SEXUAL_REPRODUCTIVE,
                                SUBSTANCE_USE)

# ICD-10 (WHO, as the Ministry of Health's list uses it) and ICD-10-CM, which shares its
# chapters; VN Core names it http://terminology.hl7.org/CodeSystem/icd10.
ICD10_SYSTEMS = frozenset({
    "http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm",
    "http://terminology.hl7.org/CodeSystem/icd10", "http://terminology.hl7.org/CodeSystem/icd10CM",
    "urn:oid:2.16.840.1.113883.6.3", "urn:oid:2.16.840.1.113883.6.90",
})
SNOMED_SYSTEMS = frozenset({"http://snomed.info/sct", "urn:oid:2.16.840.1.113883.6.96"})
LOINC_SYSTEMS = frozenset({"http://loinc.org", "urn:oid:2.16.840.1.113883.6.1"})
ATC_SYSTEMS = frozenset({"http://www.whocc.no/atc", "urn:oid:2.16.840.1.113883.6.73"})
ACT_CODE_SYSTEMS = frozenset({"http://terminology.hl7.org/CodeSystem/v3-ActCode",
                              "http://hl7.org/fhir/v3/ActCode", "urn:oid:2.16.840.1.113883.5.4"})
CONFIDENTIALITY_SYSTEMS = frozenset({"http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                                     "http://hl7.org/fhir/v3/Confidentiality",
                                     "urn:oid:2.16.840.1.113883.5.25"})

# ICD-10 three-character category ranges, inclusive, compared as text ("O9A" is ICD-10-CM's
# last obstetric block and sorts after "O99").
ICD10_RANGES = {
    # Chapter V, mental and behavioural disorders, and intentional self-harm.
    MENTAL_HEALTH: (("F00", "F99"), ("X60", "X84")),
    # F10-F19 are also in chapter V, so such a diagnosis carries both labels.
    SUBSTANCE_USE: (("F10", "F19"),),
    # HIV disease, asymptomatic HIV status, inconclusive HIV laboratory evidence.
    HIV: (("B20", "B24"), ("Z21", "Z21"), ("R75", "R75")),
    # Pregnancy and childbirth; reproduction-related encounters (contraception, procreative
    # management, antenatal care); infections with a predominantly sexual mode of transmission;
    # male and female infertility.
    SEXUAL_REPRODUCTIVE: (("O00", "O9A"), ("Z30", "Z39"), ("Z3A", "Z3A"), ("A50", "A64"),
                          ("N46", "N46"), ("N97", "N97")),
    # Chromosomal abnormalities.
    GENETIC: (("Q90", "Q99"),),
}

# ICD-10 subcategories, written without the dot, that fall outside those ranges.
ICD10_PREFIXES = {
    MENTAL_HEALTH: ("Z915",),                          # personal history of self-harm
    SUBSTANCE_USE: ("Z502", "Z503", "Z714", "Z715"),   # rehabilitation, counselling
    HIV: ("O987", "Z206", "Z114", "Z717"),             # in pregnancy, exposure, screening,
                                                       # counselling
    SEXUAL_REPRODUCTIVE: ("Z725",),                    # high-risk sexual behaviour
}

SNOMED_CODES = {
    HIV: frozenset({"86406008", "165816005", "62479008"}),  # HIV infection, HIV positive, AIDS
    MENTAL_HEALTH: frozenset({
        "74732009",    # mental disorder
        "35489007",    # depressive disorder
        "370143000",   # major depressive disorder
        "197480006",   # anxiety disorder
        "58214004",    # schizophrenia
        "13746004",    # bipolar disorder
    }),
    SUBSTANCE_USE: frozenset({"7200002", "66214007"}),  # alcoholism, substance abuse
    SEXUAL_REPRODUCTIVE: frozenset({"77386006", "8098009"}),  # pregnant, STD
}

# HIV-1 and HIV-2 antibody and antigen tests: the VSAC value set "Human Immunodeficiency Virus
# (HIV) Laboratory Test Codes (Ab and Ag)", OID 2.16.840.1.113762.1.4.1056.50 (eCQM update
# 2021-05-06, the screening tests, rapid tests, immunoblots and panels), whole.
_HIV_AB_AG_TESTS = """
    5220-9 5221-7 5222-5 5223-3 5224-1 5225-8 7917-8 7918-6 7919-4 9660-2 9661-0 9662-8 9663-6
    9664-4 9665-1 9666-9 9667-7 9668-5 9669-3 9821-0 10901-7 10902-5 11078-3 11079-1 11080-9
    11081-7 11082-5 12855-3 12856-1 12857-9 12858-7 12859-5 12870-2 12871-0 12872-8 12875-1
    12876-9 12893-4 12894-2 12895-9 13499-9 13920-4 14092-1 14126-7 16132-3 16974-8 16975-5
    16976-3 16977-1 16978-9 16979-7 18396-2 19110-6 21007-0 21331-4 21332-2 21334-8 21335-5
    21336-3 21337-1 21338-9 21339-7 21340-5 22356-0 22357-8 22358-6 24012-7 28004-0 28052-9
    29327-4 29893-5 30361-0 31072-2 31073-0 31201-7 31430-2 32571-2 32602-5 32827-8 32842-7
    33508-3 33660-2 33806-1 33807-9 33866-5 34591-8 34592-6 35437-3 35438-1 35439-9 35440-7
    35441-5 35442-3 35443-1 35444-9 35445-6 35446-4 35447-2 35448-0 35449-8 35450-6 35452-2
    35564-4 35565-1 40437-6 40438-4 40439-2 40732-0 40733-8 41143-9 41144-7 41145-4 41290-8
    42339-2 42600-7 42627-0 42768-2 43008-2 43009-0 43010-8 43011-6 43012-4 43013-2 43185-8
    43599-0 44531-2 44532-0 44533-8 44607-0 44872-0 44873-8 45212-8 47029-4 48345-3 48346-1
    49483-1 49580-4 49718-0 49905-3 49965-7 51786-2 51866-2 53379-4 53601-1 54086-4 56888-1
    57974-8 57975-5 57976-3 57977-1 57978-9 58900-2 62456-9 68961-2 69668-2 73905-2 73906-0
    75622-1 75666-8 77685-6 80203-3 80387-4 81641-3 83101-6 85037-0 85686-4 86233-4 86657-4
    89365-1 89374-3
"""

# HIV viral load: the VSAC value set "HIV Viral Load Tests", OID 2.16.840.1.113762.1.4.1248.377
# (eCQM update 2025-05-08), whole; only people living with HIV have these tests.
_HIV_VIRAL_LOAD_TESTS = """
    10351-5 20447-9 21008-8 21333-0 23876-6 29539-4 29541-0 41514-1 41515-8 41516-6 48510-2
    48511-0 48552-4 51780-5 59419-2 62469-2 69354-9 70241-5 104762-0 104781-0
"""

LOINC_CODES = {
    HIV: frozenset(_HIV_AB_AG_TESTS.split()) | frozenset(_HIV_VIRAL_LOAD_TESTS.split()) | {
        "25836-8",  # HIV 1 RNA [#/volume] (viral load) in Specimen by NAA with probe detection
        "5018-7",   # HIV 1 RNA [Presence] by probe and target amplification (infant diagnosis)
        "44871-2",  # HIV 1 proviral DNA [Presence] in Blood by NAA with probe detection
        "25841-8",  # HIV 2 proviral DNA [Presence] in Blood by NAA with probe detection
        "25842-6",  # HIV 2 proviral DNA [Presence] in Specimen by NAA with probe detection
    },
    MENTAL_HEALTH: frozenset({
        "44249-1",  # PHQ-9 panel
        "44261-6",  # PHQ-9 total score
        "69737-5",  # GAD-7 panel
        "70274-6",  # GAD-7 total score
    }),
    SUBSTANCE_USE: frozenset({"72109-2"}),  # AUDIT-C
    SEXUAL_REPRODUCTIVE: frozenset({"2106-3", "2118-8"}),  # hCG pregnancy test, urine / serum
    GENETIC: frozenset({
        "51969-4",  # genetic analysis report
        "55232-3",  # genetic analysis summary panel
        "81247-9",  # master HL7 genetic variant reporting panel
        "69548-6",  # genetic variant assessment
        "48018-6",  # gene studied
    }),
}

# ATC prefixes of medicines that reveal the condition they treat. Nucleoside reverse
# transcriptase inhibitors alone (J05AF) are left out: tenofovir, lamivudine and entecavir are
# the usual hepatitis B treatment, and labelling every hepatitis B prescription "hiv" would be
# wrong. HIV regimens are caught by their other drug (J05AG, J05AJ, J05AE) or as combinations.
ATC_PREFIXES = {
    HIV: ("J05AE", "J05AG", "J05AJ", "J05AR"),  # protease, NNRTI, integrase, HIV combinations
    MENTAL_HEALTH: ("N05A", "N06A"),             # antipsychotics (lithium too), antidepressants
    SUBSTANCE_USE: ("N07B",),                    # drugs used in addictive disorders
    SEXUAL_REPRODUCTIVE: ("G02B", "G03A", "G03GA", "G03XB"),  # contraceptives, gonadotropins,
                                                               # mifepristone/ulipristal
}

# Security labels a hospital may already have put in meta.security: HL7 v3 ActCode
# information-sensitivity codes and v3 Confidentiality "restricted"/"very restricted". SUD, MH
# and BH are the newer ActCode spellings of the same policies.
ACT_CODES = {
    "ETH": SUBSTANCE_USE, "SUD": SUBSTANCE_USE,
    "PSY": MENTAL_HEALTH, "MH": MENTAL_HEALTH, "BH": MENTAL_HEALTH,
    "HIV": HIV,
    "SEX": SEXUAL_REPRODUCTIVE, "STD": SEXUAL_REPRODUCTIVE,
    "GDIS": GENETIC, "SCA": GENETIC,
    "SDV": RESTRICTED, "TBOO": RESTRICTED,   # sexual or domestic violence; taboo
}
CONFIDENTIALITY_CODES = {"R": RESTRICTED, "V": RESTRICTED}

# Words that name a condition in a code's `display` or a concept's `text`, read (without case,
# as whole words) for the codes the tables above miss: a hospital's local code, a test the value
# set does not list. A label too many only hides a record until the patient names it.
TEXT_PATTERNS = {
    # "HIV", "HIV-1", "HIV1+2 Ab" (LOINC short names), "VIH" (French, as some labs write it);
    # not "HIVE" or "SHIVER".
    HIV: (r"\bHIV(?![A-Z])", r"\bVIH(?![A-Z])", r"\bIMMUNO-?DEFICIENCY VIRUS\b"),
}
