"""The words a consent is written in: record categories, purposes, states, sources and
sensitivity labels. Plain constants, so the services, the schemas and the engine share one list.
"""
import enum

# The record categories this system stores (services/fhir maps FHIR resources onto them).
CATEGORIES = frozenset({
    "lab", "vitals", "imaging", "observation", "report", "diagnosis", "medication",
    "procedure", "encounter", "document", "allergy", "immunization",
})


class AllCategories(enum.Enum):
    """The type of the ALL marker."""
    ALL = "all"

    def __repr__(self) -> str:
        return "ALL"


# A consent's categories are a frozenset of CATEGORIES or this marker. ALL means every category
# the system knows when a decision is made, categories added later included: that is what a
# patient who ticks "all" is shown. It never stands for the sensitivity labels, which a consent
# must always name one by one.
ALL = AllCategories.ALL
ALL_WORD = "all"  # how ALL is spelt in the API body and in receipts: ["all"]

# Purposes (FHIR Consent.provision.purpose), matched exactly: a consent for caregiving does not
# permit treatment, nor the reverse.
TREATMENT = "treatment"      # a hospital treating the patient reads records from other hospitals
CAREGIVING = "caregiving"    # a relative or carer (parent, child, spouse) follows the patient
RESEARCH = "research"        # a named study reads the records
INSURANCE = "insurance"      # an insurer reads records for a claim or a policy
OTHER = "other"              # anything else the patient chooses to allow, explicitly
PURPOSES = frozenset({TREATMENT, CAREGIVING, RESEARCH, INSURANCE, OTHER})

# Consent states, named as FHIR R4 consent-state-codes. Only ACTIVE can permit. A withdrawn
# consent is INACTIVE with revoked_at/revoked_by set; the record is kept, never deleted.
DRAFT = "draft"
PROPOSED = "proposed"
ACTIVE = "active"
REJECTED = "rejected"
INACTIVE = "inactive"
ENTERED_IN_ERROR = "entered-in-error"
STATUSES = frozenset({DRAFT, PROPOSED, ACTIVE, REJECTED, INACTIVE, ENTERED_IN_ERROR})

# Who recorded a consent: the patient in the app, or staff from a signed paper form. A staff
# consent must name its evidence (the scanned form's reference), FHIR Consent.source[x].
APP = "app"
STAFF = "staff"
SOURCES = frozenset({APP, STAFF})

# Grantee kinds (FHIR Consent.provision.actor).
HOSPITAL = "hospital"
PERSON = "person"
GRANTEE_KINDS = frozenset({HOSPITAL, PERSON})

# Sensitivity labels (FHIR Consent.provision.securityLabel). A record carrying one is shown to
# a grantee only under a consent that names that label; see consent.sensitivity for how a
# record's codes and words map to them (consent/sensitive_vocabulary.toml).
MENTAL_HEALTH = "mental-health"    # mental and behavioural disorders, self-harm
STI = "sti"                        # sexually transmitted infections other than HIV
REPRODUCTIVE = "reproductive"      # pregnancy and its termination, contraception, fertility
HIV = "hiv"                        # HIV infection, tests, exposure, antiretrovirals
SUBSTANCE_USE = "substance-use"    # alcohol and drug use disorders, their treatment
GENETIC = "genetic"                # genetic tests and chromosomal abnormalities
RESTRICTED = "restricted"          # the source hospital flagged it restricted
SENSITIVE_LABELS = frozenset({MENTAL_HEALTH, STI, REPRODUCTIVE, HIV, SUBSTANCE_USE, GENETIC,
                              RESTRICTED})

# Labels no longer offered, and the ones each stood for. Consents recorded before sexually
# transmitted infections and reproductive health were told apart name "sexual-reproductive";
# the patient meant both, so such a consent still covers both (new consents cannot name it).
RETIRED_LABELS = {"sexual-reproductive": frozenset({STI, REPRODUCTIVE})}

# How each label is written in a resource's meta.security on export, as (system, code): the HL7
# v3 ActCode information-sensitivity codes, and v3 Confidentiality "R" for a record the source
# restricted without saying why.
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
FHIR_SECURITY_LABELS = {
    MENTAL_HEALTH: (V3_ACT_CODE, "PSY"), STI: (V3_ACT_CODE, "STD"),
    REPRODUCTIVE: (V3_ACT_CODE, "SEX"), HIV: (V3_ACT_CODE, "HIV"),
    SUBSTANCE_USE: (V3_ACT_CODE, "ETH"), GENETIC: (V3_ACT_CODE, "GDIS"),
    RESTRICTED: (V3_CONFIDENTIALITY, "R"),
}
