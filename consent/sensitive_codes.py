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

LOINC_CODES = {
    HIV: frozenset({
        "75622-1",  # HIV 1 and 2 tests, meaningful use set
        "7917-8",   # HIV 1 Ab [Presence] in serum
        "5221-7",   # HIV 1 Ab [Presence] in serum by immunoblot
        "68961-2",  # HIV 1 Ab [Presence] by rapid immunoassay
        "56888-1",  # HIV 1+2 Ab + HIV 1 p24 Ag [Presence]
        "25836-8",  # HIV 1 RNA (viral load), target amplification
        "20447-9",  # HIV 1 RNA (viral load), signal amplification
    }),
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
