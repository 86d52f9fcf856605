"""What reports speech: the verbs that say someone said something, by language, and the words that open what was
said. The articles' quote checks read a quote's speaker next to its speech verb (indexer.articles.speakers); a
chapter's title reads what was said as the story, not that it was said ("Serbia has announced that | drivers with
Kosovo license plates can enter ...": indexer.chapters.reported).
"""

from __future__ import annotations

from functools import lru_cache

from indexer.text.stopwords import folded_words

# Speech verbs, as they stand next to a quote, by language (ISO 639-1). Folded when read, so accents need not match.
SPEECH_VERBS = {
    "en": "said says say told tells added adds explained warned noted insisted asked argued declared announced wrote "
          "recalled promised stressed replied admitted claimed continued shouted urged according",
    "de": "sagte sagt sagten gesagt erklärte erklärt erklärten betonte betont betonten meinte warnte warnten fügte "
          "ergänzte kritisierte kritisierten forderte forderten bestätigte bestätigten berichtete erzählte "
          "versicherte mahnte bekräftigte unterstrich antwortete fragte schrieb räumte kündigte teilte erinnerte "
          "beklagte versprach widersprach",
    "fr": "dit déclaré déclare affirme affirmé explique expliqué ajoute ajouté estime souligne souligné assure "
          "assuré indique indiqué lance lancé poursuit confie confié précise précisé raconte témoigne renchérit "
          "inquiète résume résumé critique critiqué dénonce dénoncé avertit averti reconnaît reconnu insiste "
          "insisté rappelle rappelé confirme confirmé répond répondu martèle martelé prévient prévenu regrette "
          "regretté admet promet promis déplore déploré déclarent affirment expliquent",
    "es": "dijo dice afirmó explicó declaró añadió aseguró señaló indicó subrayó advirtió dicho afirmado declarado "
          "dijeron afirmaron explicaron señalaron aseguraron criticó reconoció insistió anunció confirmó recordó "
          "respondió sostuvo manifestó admitió denunció alertó comentó contó agregó expresó destacó reiteró "
          "lamentó precisó prometió negó",
    "it": "detto dichiarato spiegato aggiunto affermato sottolineato dice afferma spiega aggiunge ribadito "
          "commentato raccontato criticato ammesso confessato annunciato confermato ricordato risposto avvertito "
          "denunciato insistito precisato osservato sostenuto evidenziato assicurato promesso replicato lamentato "
          "negato dichiara dicono spiegano",
    "pt": "disse diz afirmou declarou explicou acrescentou garantiu sublinhou resumiu contou disseram afirmaram "
          "criticou admitiu reconheceu anunciou confirmou lembrou respondeu alertou insistiu referiu salientou "
          "destacou defendeu adiantou frisou assegurou avisou denunciou comentou prometeu negou lamentou",
    "ru": "сказал сказала сказали заявил заявила заявили отметил отметила добавил добавила сообщил сообщила "
          "подчеркнул подчеркнула пояснил пояснила рассказал рассказала говорит ответил ответила рассказывает "
          "добавляет уточнил уточнила признал признала подтвердил подтвердила предупредил предупредила "
          "раскритиковал раскритиковала напомнил напомнила пообещал пообещала настаивает возразил возразила "
          "считает",
    "uk": "сказав сказала сказали заявив заявила заявили зазначив зазначила додав додала повідомив повідомила "
          "наголосив наголосила каже розповідає розповів розповіла додає запевнив запевнила визнав визнала "
          "підтвердив підтвердила попередив попередила розкритикував розкритикувала нагадав нагадала пообіцяв "
          "пообіцяла відповів відповіла",
    "uz": "dedi deydi aytdi ta'kidladi bildirdi dedilar aytdilar ogohlantirdi tasdiqladi "
          "деди дейди айтди таъкидлади билдирди дедилар айтдилар огоҳлантирди тасдиқлади",  # both scripts
    "tr": "dedi söyledi belirtti açıkladı vurguladı kaydetti konuştu konuşan ekledi eleştirdi uyardı doğruladı "
          "duyurdu hatırlattı yanıtladı savundu",
    "ar": "قال قالت يقول تقول أضاف أضافت وأضاف وأضافت أكد أكدت وأكد وأكدت صرح صرحت وصرح وقال وقالت أوضح وأوضح "
          "أعلن وأعلن",
    "fa": "گفت گفته افزود گفتند",
}
# Verbs that report what someone said or found, besides SPEECH_VERBS, which stand next to quotes: news reports with
# them too ("The ministry has reported that ...", "Police believe that ...")
REPORTS = {
    "en": "reported announces confirmed confirms believe believes think thinks estimated expect expects suggested "
          "found revealed agreed decided ruled stated",  # not "states", "rules", "reports": nouns as often
    "de": "mitgeteilt teilte teilten bekannt gab gaben kündigten angekündigt berichtet berichteten erklärt "
          "befürchtet befürchten hofft hoffen glaubt glauben schätzt schätzen zeigt zeigen ergab entschied "
          "entschieden beschlossen",
    "fr": "annonce annoncé rapporte rapporté estiment espère espèrent craint craignent pense pensent montre "
          "montrent révèle révélé décidé jugé",
    "es": "anuncia informó informa informaron anunciaron estima estiman espera esperan teme temen cree creen "
          "muestra muestran reveló revela decidió dictaminó",
    "it": "annuncia reso riferito riferisce riportato stima stimano spera sperano teme temono crede credono mostra "
          "mostrano rivelato deciso stabilito",
    "pt": "anuncia informou informa anunciaram estima estimam espera esperam teme temem acredita acreditam mostra "
          "mostram revelou decidiu",
    "nl": "zei zegt zeggen meldde meldt verklaarde verklaart kondigde liet laat waarschuwde bevestigde",
    "ru": "заявило сообщило сообщили сообщает сообщают заявляет заявляют считают полагает полагают опасается "
          "надеется показал показали выяснилось решил решила решили",
    "uk": "заявило повідомило повідомили повідомляє заявляє заявляють вважає вважають побоюється сподівається "
          "показав показали вирішив вирішила вирішили",
}
# The words that open the clause of what was said ("that", "dass", "que"); elided forms without their apostrophe
COMPLEMENTIZERS = {
    "en": "that", "de": "dass", "fr": "que qu", "es": "que", "it": "che", "pt": "que", "nl": "dat", "ru": "что",
    "uk": "що", "pl": "że", "cs": "že", "sk": "že",
}
# Subject pronouns: what was said that opens with one names no one ("... tells Euronews that | he feels ...")
SUBJECT_PRONOUNS = {
    "en": "he she it they we i you this there", "de": "er sie es wir ich ihr man dies das",
    "fr": "il elle ils elles on nous je vous ce cela", "es": "él ella ellos ellas nosotros yo esto eso",
    "it": "lui lei loro noi io egli essa esso ciò", "pt": "ele ela eles elas nós eu isso isto",
    "nl": "hij zij ze het wij we ik dit dat", "ru": "он она оно они мы я вы это", "uk": "він вона воно вони ми я ви це",
}


# The speaker's own "I" and "we": "I believe that ..." is an interview's opinion, not what the story reports
FIRST_PERSON = {
    "en": "i we", "de": "ich wir", "fr": "je j nous", "es": "yo nosotros", "it": "io noi", "pt": "eu nós",
    "nl": "ik wij we", "ru": "я мы", "uk": "я ми",
}


@lru_cache(maxsize=64)
def first_person(language: str | None) -> frozenset[str]:
    """The folded first-person subject pronouns of a language (FIRST_PERSON); empty without a list."""
    return folded_words(language, FIRST_PERSON)


@lru_cache(maxsize=64)
def reporting_verbs(language: str | None) -> frozenset[str]:
    """The folded verbs that report speech in a language (SPEECH_VERBS and REPORTS); empty without a list."""
    return folded_words(language, SPEECH_VERBS, REPORTS)


@lru_cache(maxsize=64)
def complementizers(language: str | None) -> frozenset[str]:
    """The folded words that open what was said in a language (COMPLEMENTIZERS); empty without a list."""
    return folded_words(language, COMPLEMENTIZERS)


@lru_cache(maxsize=64)
def subject_pronouns(language: str | None) -> frozenset[str]:
    """The folded subject pronouns of a language (SUBJECT_PRONOUNS); empty without a list."""
    return folded_words(language, SUBJECT_PRONOUNS)
