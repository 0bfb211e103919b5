"""The sensitivity review's cases (issue 15): diagnoses as Vietnamese hospitals write them
whose ICD-10 code the vocabulary labels (MISSED, with the label they must carry), and ordinary
records that share letters with a sensitive term (ORDINARY, which must carry none). Used by the
review's HTTP replay (tests/review/test_sensitivity.py) and the vocabulary's own tests
(tests/consent/test_sensitive_review_findings.py)."""

MISSED = [  # (label, text): the ICD-10 code in the comment carries the label
    ("hiv", "Phác đồ TDF/3TC/DTG"),                        # B20-B24: Vietnam's first-line ARV
    ("hiv", "TDF + 3TC + EFV"),
    ("hiv", "Cấp thuốc PrEP"),                              # Z20.6 PrEP clinic
    ("hiv", "H.I.V (+)"),
    ("sti", "Nhiễm lậu"),                                   # A54 gonorrhoea
    ("sti", "Viêm niệu đạo do lậu"),
    ("sti", "Mụn cóc sinh dục"),                            # A63.0 genital warts
    ("sti", "Herpes simplex virus type 2 infection"),       # A60
    ("mental-health", "Rối loạn phân ly"),                  # F44 dissociative
    ("mental-health", "Rối loạn dạng cơ thể"),              # F45 somatoform
    ("mental-health", "Rối loạn thích ứng"),                # F43.2 adjustment
    ("mental-health", "Adjustment disorder"),
    ("mental-health", "Rối loạn stress cấp"),               # F43.0
    ("mental-health", "Ám ảnh sợ xã hội"),                  # F40.1 social phobia
    ("mental-health", "Social phobia"),
    ("mental-health", "Schizotypal disorder"),              # F21
    ("mental-health", "Chậm phát triển trí tuệ"),           # F70-F79
    ("mental-health", "Mất ngủ không thực tổn"),            # F51.0
    ("mental-health", "Intentional self-poisoning"),        # X60-X69
    ("mental-health", "Ngộ độc thuốc ngủ do tự tử"),
    ("substance-use", "Nghiện thuốc lá"),                   # F17
    ("substance-use", "Nicotine dependence"),
    ("substance-use", "Amphetamine use"),                   # F15
    ("substance-use", "Sử dụng ketamine"),                  # F19
    ("substance-use", "Benzodiazepine dependence"),         # F13
    ("substance-use", "Lệ thuộc rượu"),                     # F10.2
    ("substance-use", "Rối loạn do sử dụng rượu"),          # F10
    ("reproductive", "Đình chỉ thai 10 tuần"),              # O04 termination
    ("reproductive", "Hút điều hòa kinh nguyệt"),           # O04: menstrual regulation
    ("reproductive", "Thuốc ngừa thai"),                    # Z30
    ("reproductive", "Ngừa thai khẩn cấp"),
    ("reproductive", "Kế hoạch hóa gia đình"),
    ("reproductive", "Dụng cụ tử cung"),                    # Z30.1 IUD
    ("reproductive", "Thai trứng"),                         # O01 hydatidiform mole
    ("reproductive", "Hydatidiform mole"),
    ("reproductive", "Spontaneous vaginal delivery"),       # O80
    ("reproductive", "Chuyển dạ"),                          # O60-O75 labour
    ("reproductive", "Song thai"),                          # O30 twin pregnancy
    ("reproductive", "Que thử thai dương tính"),            # Z32.1
    ("genetic", "Xét nghiệm gene"),                         # the usual Vietnamese spelling
    ("genetic", "Hội chứng Turner"),                        # Q96
    ("genetic", "Hội chứng Edwards"),                       # Q91.0-Q91.3
    ("genetic", "Hội chứng Patau"),                         # Q91.4-Q91.7
]

ORDINARY = [  # no sensitive meaning: a caregiver must see these
    "Trung tâm Thận nhân tạo",                   # dialysis centre ("thận" folds to "than")
    "Trung tâm Thận - Tiết niệu và Lọc máu",
    "Trung tâm Thần kinh - Bệnh viện Bạch Mai",  # neurology centre
    "Đặt vòng bít huyết áp",                     # putting on a blood-pressure cuff
]
