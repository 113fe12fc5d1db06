"""Interface strings of the public survey pages and of ODK Web Forms, in ru, kk and en.

Web Forms 0.22 hard-codes its buttons and messages in English; the page's script swaps
each of ``ENGINE``'s strings for the page language's (``static/vendor`` entry.js). Form
labels come from the XForm itself and are never touched.
"""

from __future__ import annotations

LANGUAGES = ("ru", "kk", "en")

PAGES = {
    "en": {
        "title": "Survey",
        "consent_heading": "Before you begin",
        "consent_default": "This survey is anonymous research. Your answers are used only "
                           "for the study and are never published with your name. You may "
                           "stop at any time.",
        "agree": "I agree to take part",
        "no_js": "This form needs JavaScript. Please turn JavaScript on in your browser, or "
                 "ask the researchers for another way to answer.",
        "loading": "Loading the form…",
        "thanks_heading": "Thank you!",
        "thanks_text": "Your answers are stored.",
        "pass_on": "Please pass the survey on: send each of these links to one person you "
                   "know in the same community. Each link works once.",
        "copy_button": "Copy",
        "copied": "Copied",
        "closed": "The survey is closed.",
        "need_consent": "Please open the survey link and give your consent first.",
        "language": "Language",
    },
    "ru": {
        "title": "Опрос",
        "consent_heading": "Прежде чем начать",
        "consent_default": "Это анонимное исследование. Ваши ответы используются только для "
                           "исследования и никогда не публикуются с вашим именем. Вы можете "
                           "прервать опрос в любой момент.",
        "agree": "Я согласен(на) участвовать",
        "no_js": "Для этой формы нужен JavaScript. Включите JavaScript в браузере или "
                 "попросите исследователей о другом способе ответить.",
        "loading": "Форма загружается…",
        "thanks_heading": "Спасибо!",
        "thanks_text": "Ваши ответы сохранены.",
        "pass_on": "Пожалуйста, передайте опрос дальше: отправьте каждую из этих ссылок "
                   "одному знакомому человеку из того же сообщества. Каждая ссылка "
                   "действует один раз.",
        "copy_button": "Копировать",
        "copied": "Скопировано",
        "closed": "Опрос закрыт.",
        "need_consent": "Откройте ссылку на опрос и сначала дайте согласие.",
        "language": "Язык",
    },
    "kk": {
        "title": "Сауалнама",
        "consent_heading": "Бастамас бұрын",
        "consent_default": "Бұл — анонимді зерттеу. Сіздің жауаптарыңыз тек зерттеу үшін "
                           "пайдаланылады және ешқашан атыңызбен жарияланбайды. Кез келген "
                           "уақытта тоқтатуға болады.",
        "agree": "Қатысуға келісемін",
        "no_js": "Бұл форма үшін JavaScript қажет. Браузерде JavaScript-ті қосыңыз немесе "
                 "зерттеушілерден жауап берудің басқа жолын сұраңыз.",
        "loading": "Форма жүктелуде…",
        "thanks_heading": "Рахмет!",
        "thanks_text": "Жауаптарыңыз сақталды.",
        "pass_on": "Сауалнаманы әрі қарай жіберіңіз: әр сілтемені сол қауымдастықтағы бір "
                   "таныс адамға жіберіңіз. Әр сілтеме бір рет жұмыс істейді.",
        "copy_button": "Көшіру",
        "copied": "Көшірілді",
        "closed": "Сауалнама жабық.",
        "need_consent": "Сауалнама сілтемесін ашып, алдымен келісім беріңіз.",
        "language": "Тіл",
    },
}

#: What a respondent reads when a link does not work, by the library's error code.
REFUSALS = {
    "en": {
        "coupon-unknown": "This invitation link is not valid. Check that the whole link was "
                          "copied, or ask the person who sent it for a new one.",
        "coupon-used": "This invitation link has already been used. Each link works once: "
                       "ask the person who sent it for another.",
        "coupon-expired": "This invitation link has expired. Ask the person who sent it for "
                          "a new one.",
        "coupon-bound": "This invitation link is already open in another browser. Finish "
                        "the survey there, or ask for another link.",
        "form-closed": "The survey is closed. Thank you for your interest.",
        "no-survey-session": "Please open the survey link and give your consent first.",
    },
    "ru": {
        "coupon-unknown": "Эта ссылка-приглашение не действует. Проверьте, что ссылка "
                          "скопирована целиком, или попросите новую у того, кто её прислал.",
        "coupon-used": "Эта ссылка-приглашение уже использована. Каждая ссылка действует "
                       "один раз: попросите другую у того, кто её прислал.",
        "coupon-expired": "Срок действия этой ссылки-приглашения истёк. Попросите новую у "
                          "того, кто её прислал.",
        "coupon-bound": "Эта ссылка-приглашение уже открыта в другом браузере. Закончите "
                        "опрос там или попросите другую ссылку.",
        "form-closed": "Опрос закрыт. Спасибо за интерес.",
        "no-survey-session": "Откройте ссылку на опрос и сначала дайте согласие.",
    },
    "kk": {
        "coupon-unknown": "Бұл шақыру сілтемесі жарамсыз. Сілтеме толық көшірілгенін "
                          "тексеріңіз немесе жіберген адамнан жаңасын сұраңыз.",
        "coupon-used": "Бұл шақыру сілтемесі бұрын пайдаланылған. Әр сілтеме бір рет жұмыс "
                       "істейді: жіберген адамнан басқасын сұраңыз.",
        "coupon-expired": "Бұл шақыру сілтемесінің мерзімі өтті. Жіберген адамнан жаңасын "
                          "сұраңыз.",
        "coupon-bound": "Бұл шақыру сілтемесі басқа браузерде ашық. Сауалнаманы сонда "
                        "аяқтаңыз немесе басқа сілтеме сұраңыз.",
        "form-closed": "Сауалнама жабық. Қызығушылығыңызға рахмет.",
        "no-survey-session": "Сауалнама сілтемесін ашып, алдымен келісім беріңіз.",
    },
}

#: ODK Web Forms 0.22's English strings (as its bundle has them) -> the page language's.
ENGINE = {
    "en": {},
    "ru": {
        "Send": "Отправить",
        "Condition not satisfied: required": "Это обязательный вопрос",
        "Condition not satisfied: constraint": "Ответ не подходит: проверьте его",
        "{n} question with error.": "Ошибка в {n} вопросе.",
        "{n} questions with errors.": "Ошибки в вопросах: {n}.",
        "Remove": "Удалить",
        "Take picture": "Сделать снимок",
        "Choose image": "Выбрать изображение",
        "Unknown error": "Неизвестная ошибка",
        "Technical error details": "Технические подробности ошибки",
        "syrmak:offline": "Нет связи с сервером. Ответы не отправлены; попробуйте ещё раз.",
        "syrmak:failed": "Сервер не принял ответы.",
    },
    "kk": {
        "Send": "Жіберу",
        "Condition not satisfied: required": "Бұл міндетті сұрақ",
        "Condition not satisfied: constraint": "Жауап сәйкес емес: тексеріңіз",
        "{n} question with error.": "{n} сұрақта қате бар.",
        "{n} questions with errors.": "Қатесі бар сұрақтар: {n}.",
        "Remove": "Жою",
        "Take picture": "Суретке түсіру",
        "Choose image": "Суретті таңдау",
        "Unknown error": "Белгісіз қате",
        "Technical error details": "Қатенің техникалық мәліметтері",
        "syrmak:offline": "Сервермен байланыс жоқ. Жауаптар жіберілмеді; қайталап көріңіз.",
        "syrmak:failed": "Сервер жауаптарды қабылдамады.",
    },
}
ENGINE["en"] = {"syrmak:offline": "No connection to the server. Your answers were not sent; "
                                  "please try again.",
                "syrmak:failed": "The server did not accept the answers."}

#: The form's language changer names languages as syrmak writes them into the XForm
#: ("Kazakh (kk)", from the XLSForm header): a respondent reads each in its own language.
ENDONYMS = {"Kazakh (kk)": "Қазақша", "Russian (ru)": "Русский", "English (en)": "English"}
for _strings in ENGINE.values():
    _strings.update(ENDONYMS)


def pick(requested: str | None, accept: str, form_languages) -> str:
    """The page language: asked for, else the browser's first we have, else the form's."""
    offered = [lang for lang in LANGUAGES if lang in form_languages] or list(LANGUAGES)
    if requested in offered:
        return requested
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in offered:
            return code
    return offered[0]
