"""The review of issue 15's sensitivity findings (tests/review/test_sensitivity.py), fixed: the
diagnoses Vietnamese hospitals write whose ICD-10 code is labelled carry the label in words too,
ordinary records sharing letters with a sensitive term carry none, and a text alone (a
hospital's name) can be read for labels."""
import pytest

from consent import labels_of, labels_of_text
from consent.text_terms import words
from tests.review.sensitive_cases import MISSED, ORDINARY


MORE_ORDINARY = [  # diagnoses, procedures, hospitals and notes with nothing sensitive in them
    "Bệnh viện Tim Hà Nội", "Khoa Thần kinh", "Viêm gan B mạn", "Tăng huyết áp vô căn",
    "Đái tháo đường típ 2", "Thận nhân tạo chu kỳ", "Sỏi thận", "Suy thận mạn", "Hen phế quản",
    "Gãy xương cẳng tay", "Viêm phổi", "Bệnh viện Bạch Mai", "Bệnh viện Nhi Trung ương",
    "Bệnh viện Chợ Rẫy", "Bệnh viện Da liễu Trung ương", "Bệnh viện Bệnh Nhiệt đới Trung ương",
    "Trung tâm Tim mạch", "Trung tâm Ung bướu", "Khoa Hồi sức tích cực", "Tâm phế mạn",
    "Suy tim tâm thu", "Nhồi máu cơ tim", "Tai biến mạch máu não", "Thoái hóa cột sống thắt lưng",
    "Nội soi dạ dày tá tràng", "Sinh thiết gan", "Chảy máu sau sinh thiết",
    "Kháng sinh thường quy", "Vệ sinh thường xuyên vết mổ", "Đau tăng sau sinh hoạt",
    "Đau thắt lưng do lâu ngày ngồi", "Tháo vòng, nhẫn trước mổ", "Đặt vòng van hai lá",
    "Bác sĩ chuyên khoa Đa khoa", "Bác sĩ chuyên đa khoa", "Báo cáo sự cố y khoa",
    "Tổn thương đa cơ quan, trừ phổi", "Để khô vết thương", "Tinh thần thư thái",
    "Bơm từ từ bằng bơm tiêm điện", "Nghiên cứu lâm sàng", "Người nghiên cứu",
    "Essential hypertension", "Chronic kidney disease stage 3", "Haemodialysis",
    "Community-acquired pneumonia", "Fracture of radius", "Bowel prep before colonoscopy",
    "Ketamine induction for anaesthesia", "Temporal lobe epilepsy (TLE)",
    "Atrioventricular dissociation", "Right hypochondrium tenderness", "TLD dosimetry",
    "Tenofovir 300 MG", "Hút thuốc lá 10 bao-năm", "Dr. Gene Smith", "Gen. surgery",
    "Kích thước 45 x 30 mm", "1.5 mg", "Nguyễn V. A", "Đê sông Thái Bình",
    "Rối loạn thần kinh thực vật",
]

REPRODUCTIVE_ON_PURPOSE = [  # ordinary-looking, labelled by decision (the vocabulary's header)
    "Khám thai định kỳ",               # antenatal care is pregnancy
    "Bệnh viện Phụ sản Trung ương",    # a maternity hospital: its records are mostly pregnancies
    "Khoa Sản - Bệnh viện Bạch Mai",   # a maternity ward, likewise
]


def _condition(text: str) -> dict:
    return {"resourceType": "Condition", "code": {"text": text}}


@pytest.mark.parametrize("label, text", MISSED)
def test_a_text_only_diagnosis_carries_its_sensitive_class(label, text):
    assert label in labels_of(_condition(text))


@pytest.mark.parametrize("text", ORDINARY + MORE_ORDINARY)
def test_an_ordinary_record_carries_no_sensitive_label(text):
    assert labels_of({"resourceType": "Observation", "code": {"text": text}}) == frozenset()


@pytest.mark.parametrize("text", REPRODUCTIVE_ON_PURPOSE)
def test_antenatal_care_and_maternity_hospitals_are_reproductive(text):
    assert labels_of(_condition(text)) == {"reproductive"}


@pytest.mark.parametrize("text, expected", [
    ("TDF/3TC/DTG", ["tdf", "3tc", "dtg"]), ("TDF + 3TC + EFV", ["tdf", "3tc", "efv"]),
    ("LPV/r", ["lpv", "r"]), ("H.I.V (+)", ["hiv"]), ("h.i.v.", ["hiv"]),
    ("Khám S.T.D.", ["kham", "std"]), ("K.H.H.G.Đ", ["khhgd"]),
    ("1.5 mg", ["1", "5", "mg"]),            # digits are not letters: a decimal stays two words
    ("Dr.A.Smith", ["dr", "a", "smith"]),    # letters in a word are not single letters
])
def test_slashes_and_pluses_split_words_and_dotted_single_letters_join(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize("name, labels", [
    ("Bệnh viện Tâm thần Trung ương 1", {"mental-health"}),
    ("BENH VIEN TAM THAN TP HCM", {"mental-health"}),
    ("Phòng khám HIV ngoại trú Quận 8", {"hiv"}),
    ("Phòng khám PrEP Galant", {"hiv"}),
    ("Cơ sở điều trị Methadone Quận 4", {"substance-use"}),
    ("Trung tâm Cai nghiện ma túy số 2", {"substance-use"}),
    ("Bệnh viện Phụ sản Hà Nội", {"reproductive"}),
    ("Trung tâm Hỗ trợ sinh sản Quốc gia", {"reproductive"}),
    ("Phòng khám Bệnh lây truyền qua đường tình dục", {"sti"}),
    ("Trung tâm Xét nghiệm gene Việt Nam", {"genetic"}),
    ("Bệnh viện Bạch Mai", set()), ("Trung tâm Thận nhân tạo", set()),
    ("Trung tâm Thần kinh - Bệnh viện Bạch Mai", set()),
    ("Bệnh viện Da liễu Trung ương", set()), ("Bệnh viện Tim Hà Nội", set()),
])
def test_a_hospitals_name_alone_carries_the_labels_of_its_words(name, labels):
    found = labels_of_text(name)
    assert isinstance(found, frozenset) and found == labels
    assert found == labels_of({"resourceType": "Organization", "name": name})


@pytest.mark.parametrize("not_text", [None, 12, b"HIV", ["HIV"], {"text": "HIV"}])
def test_labels_of_text_reads_strings_only(not_text):
    assert labels_of_text(not_text) == frozenset()
