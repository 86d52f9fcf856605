"""What presenters say of the programme itself, per language: its greetings and thanks, the lines that lead into the
news or out of it, and those that open its next part. indexer.chapters.courtesy reads a programme's sentences with
them, so that none of these titles a chapter ("Hola, bienvenidos a Euronews hoy") and a chapter the presenter opens
for its next part is titled from that line ("Und nun die Wettervorhersage für morgen").

Phrases are stored folded (indexer.text.normalize.fold), words joined by one space; a language without a table gets
none.
"""

from __future__ import annotations

from functools import lru_cache

from indexer.text.normalize import fold, primary_language

# What a presenter says to open or close a programme, or an interviewee to end an answer (greetings, welcomes,
# thanks, see-you-tomorrows; not "thanks to", "gracias a", nor a farewell that headlines use: "Adiós a las descargas
# piratas"): a sentence that opens with one is no headline ("Hola, bienvenidos a Euronews hoy", "Guten
# Abend, meine Damen und Herren"). Phrases, separated by "|".
_COURTESY = {
    "en": "hello | hi | welcome | good evening | good morning | good afternoon | good night | thank you | see you",
    "de": """hallo | guten abend | guten morgen | guten tag | willkommen | herzlich willkommen |
meine damen und herren | ich begrüße | wir begrüßen | vielen dank | danke | bis morgen""",
    "fr": """bonjour | bonsoir | bienvenue | merci | à bientôt | à demain | mesdames et messieurs""",
    "es": """hola | bienvenidos | bienvenidas | bienvenido | bienvenida | saludos | buenas noches | buenos días |
buenas tardes | muchas gracias | hasta mañana | hasta luego""",
    "it": "buongiorno | buonasera | buona sera | benvenuti | benvenute | benvenuto | ciao | grazie mille | a domani",
    "pt": """olá | bem-vindos | bem-vindas | bem-vindo | boa noite | bom dia | boa tarde | obrigado | obrigada |
muito obrigado | até amanhã""",
    "nl": """hallo | goedenavond | goedemorgen | goedemiddag | welkom | dank u | bedankt""",
    "ru": """здравствуйте | добрый вечер | доброе утро | добрый день | добро пожаловать | приветствую | спасибо |
благодарю""",
    "uk": """вітаю | добрий вечір | доброго вечора | добрий день | доброго дня | ласкаво просимо | дякую""",
    "uz": """assalomu alaykum | xayrli kech | xayrli kun | xush kelibsiz | salom | rahmat | ассалому алайкум |
хайрли кеч | хайрли кун | хуш келибсиз | салом | рахмат""",
    "tr": """merhaba | iyi akşamlar | iyi günler | günaydın | hoş geldiniz | teşekkürler | teşekkür ederim""",
    "pl": """dzień dobry | dobry wieczór | witam | witamy | dziękuję | dziękujemy""",
    "ar": """مساء الخير | صباح الخير | أهلا | مرحبا | السلام عليكم | شكرا""",
    "fa": """سلام | عصر بخیر | شب بخیر | خوش آمدید | ممنون | متشکرم""",
    "ja": """こんばんは | こんにちは | おはようございます | ありがとうございました | ありがとうございます""",
    "zh": """大家好 | 晚上好 | 早上好 | 欢迎收看 | 欢迎 | 谢谢""",
}


# What a presenter says of the programme itself, to lead into the news or out of it ("Comenzamos con los
# titulares", "Let's start by looking at our top stories", "Pueden seguirnos en televisión"): a sentence that opens
# with one is no headline either, though it may go on to tell the news ("Comenzamos en Irak, donde ..."), and it
# names no programme. Phrases, separated by "|".
_PROGRAMME = {
    "en": "let's start | let's begin | let us start | we begin | we start | stay with us | you can follow us",
    "de": "wir beginnen | wir starten | bleiben sie dran | bleiben sie bei uns",
    "fr": "commençons | nous commençons | restez avec nous | n'oubliez pas | vous pouvez nous suivre",
    "es": """comenzamos | empezamos | presentamos | dejamos | pueden seguir viendo | pueden seguirnos |
pueden acompañarnos | sigan con nosotros | no olviden | tenemos muchas cosas | gracias por""",
    "it": "iniziamo | cominciamo | restate con noi | non dimenticate | potete seguirci | grazie per",
    "pt": "começamos | comecemos | fique connosco | fiquem connosco | não se esqueça | podem seguir-nos",
}


# What a presenter says to open the programme's next part ("Und nun die Wettervorhersage für morgen", "And now
# the weather", "Et maintenant, le sport"): a chapter that opens with one is titled from that sentence first.
_SECTION = {
    "en": "and now | now to | now for | turning now to",
    "de": "und nun | und jetzt | nun zum | nun zur | nun zu | jetzt zum | jetzt zur",
    "fr": "et maintenant | place à | passons à | et place à",
    "es": "y ahora | pasamos a | vamos ahora con",
    "it": "e ora | e adesso | passiamo a | ora passiamo",
    "pt": "e agora | passamos agora | vamos agora",
    "nl": "en nu | dan nu",
    "ru": "а теперь | теперь о | переходим к",
    "uk": "а тепер | тепер про | переходимо до",
    "uz": "endi esa | endi",
}


@lru_cache(maxsize=64)
def section_lines(language: str | None) -> tuple[str, ...]:
    """The folded phrases of _SECTION (words joined by one space); empty without a list."""
    return _phrases(_SECTION, language)


@lru_cache(maxsize=64)
def courtesies(language: str | None) -> tuple[str, ...]:
    """The folded phrases of _COURTESY (words joined by one space); empty without a list."""
    return _phrases(_COURTESY, language)


@lru_cache(maxsize=64)
def programme_lines(language: str | None) -> tuple[str, ...]:
    """The folded phrases of _PROGRAMME (words joined by one space); empty without a list."""
    return _phrases(_PROGRAMME, language)


def _phrases(table: dict[str, str], language: str | None) -> tuple[str, ...]:
    phrases = table.get(primary_language(language) or "", "").split("|")
    return tuple(" ".join(fold(w) for w in p.replace("-", " ").split()) for p in phrases if p.strip())
