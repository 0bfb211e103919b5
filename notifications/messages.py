"""What to tell a patient, and in which words: a generic title and body per kind of event, in
the patient's language. Never a health detail, a name, an ID or a hospital: a push shows on a
locked screen. Pure: no Flask, no database."""

# kind -> (may the patient mute it?, {language: (title, body)})
KINDS = {
    "record_available": (True, {
        "vi": ("Có kết quả mới", "Mở ứng dụng để xem."),
        "en": ("New results available", "Open the app to see them.")}),
    "first_access_under_consent": (True, {
        "vi": ("Hồ sơ của bạn vừa được xem",
               "Một nơi bạn đã cho phép vừa xem hồ sơ. "
               "Mở ứng dụng để biết chi tiết."),
        "en": ("Your record was viewed", "Someone you allowed viewed your record for the first "
                                         "time. Open the app for details.")}),
    "consent_changed": (True, {
        "vi": ("Quyền chia sẻ đã thay đổi", "Mở ứng dụng để xem."),
        "en": ("Sharing permissions changed", "Open the app to review them.")}),
    # Security events: never muted.
    "new_device_sign_in": (False, {
        "vi": ("Đăng nhập trên thiết bị mới",
               "Nếu không phải bạn, hãy đổi mật khẩu ngay."),
        "en": ("Sign-in on a new device", "If this was not you, change your password now.")}),
    "sign_in_trouble": (False, {
        "vi": ("Nhiều lần đăng nhập thất bại",
               "Nếu không phải bạn, hãy mở ứng dụng."),
        "en": ("Repeated failed sign-ins", "If this was not you, open the app.")}),
    "credentials_changed": (False, {
        "vi": ("Thông tin đăng nhập đã thay đổi",
               "Nếu không phải bạn, hãy liên hệ hỗ trợ."),
        "en": ("Your sign-in details changed", "If this was not you, contact support.")}),
    "consent_changed_by_staff": (False, {
        "vi": ("Nhân viên hỗ trợ đã thay đổi quyền chia sẻ",
               "Mở ứng dụng để xem."),
        "en": ("Support staff changed your sharing", "Open the app to review it.")}),
    "activation_code_issued": (False, {
        "vi": ("Đã cấp mã kích hoạt cho tài khoản của bạn",
               "Nếu bạn không yêu cầu, hãy liên hệ hỗ trợ ngay."),
        "en": ("An activation code was issued for your account", "If you did not ask for it, "
                                                                 "contact support now.")}),
    "representative_changed_by_staff": (False, {
        "vi": ("Nhân viên hỗ trợ đã ghi nhận người đại diện",
               "Mở ứng dụng để xem ai được quyền đại diện cho bạn."),
        "en": ("Support staff recorded a legal representative", "Open the app to see who may "
                                                                "act for you.")}),
    "request_updated": (False, {
        "vi": ("Yêu cầu về dữ liệu của bạn đã được cập nhật", "Mở ứng dụng để xem."),
        "en": ("Your data request was updated", "Open the app to see it.")}),
}
# What someone else did with the patient's data waits for a patient who has not registered yet,
# and is in the inbox when they do; "new results" before registration are not news.
# A code issued for the registration itself is no news either.
WAITS_FOR_REGISTRATION = frozenset(KINDS) - {"record_available", "activation_code_issued"}
DEFAULT_LANGUAGE = "vi"
# Security events of the account (models.security_events) -> the kind the patient is told.
SECURITY_EVENTS = {
    "repeated_failed_sign_ins": "sign_in_trouble", "sign_in_locked": "sign_in_trouble",
    "password_changed": "credentials_changed", "password_reset": "credentials_changed",
    "second_factor_replaced": "credentials_changed",
    "second_factor_reset_by_staff": "credentials_changed",
    "recovery_codes_replaced": "credentials_changed",
    "consent_recorded_by_staff": "consent_changed_by_staff",
    "consent_revoked_by_staff": "consent_changed_by_staff",
    "consent_approved_by_staff": "consent_changed_by_staff",
    "consent_rejected_by_staff": "consent_changed_by_staff",
    "representative_recorded_by_staff": "representative_changed_by_staff",
    "representative_approved_by_staff": "representative_changed_by_staff",
    "representative_rejected_by_staff": "representative_changed_by_staff",
    "representative_revoked_by_staff": "representative_changed_by_staff",
    "new_device_sign_in": "new_device_sign_in",
    "activation_code_issued": "activation_code_issued",
}


def mutable(kind: str) -> bool:
    """Whether the patient may mute this kind (security events never)."""
    return KINDS[kind][0]


def words(kind: str, language: str | None) -> tuple[str, str]:
    """(title, body) in the language, Vietnamese when the language is not one we write."""
    texts = KINDS[kind][1]
    return texts.get(language or DEFAULT_LANGUAGE) or texts[DEFAULT_LANGUAGE]
