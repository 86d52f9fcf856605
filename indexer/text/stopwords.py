"""Stop words per language: the function words that say nothing about a topic, and say much about the language.

One table serves three readers: chapter titles and cohesion skip these words (a title of "the said that" names no
story), language detection counts them (a text that is 30% "der die und" is German), and a keyword search leaves
out the function words alone (`function_words`) when the query has other words. Each list holds
the language's most frequent function words plus, for the news languages of our archive (en, ru, uz), the verbs
of saying, calendar words and small numbers that every news story repeats.

Words are stored folded (indexer.text.normalize.fold), so they match tokens whatever the case, accents or apostrophe
character. A language without a list gets an empty set: callers must work without one (chapters fall back on the
words a transcript uses everywhere).
"""

from __future__ import annotations

from functools import lru_cache

from indexer.text.normalize import fold, primary_language
from indexer.text.scripts import main_script

# The function words: articles, pronouns, prepositions, conjunctions, auxiliaries.
_LISTS = {
    "en": """a about above according after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even few for from further had has have having
he her here hers him his how i if in into is it its itself just may me might more most much must my no nor not now
of off on once only or other our ours out over own same she should so some such than that the their theirs them then
there these they this those through to too under until up upon very was we were what when where which while who whom
why will with would yet you your yours like across since amid among around within without""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже для до его
её ее если есть ещё еще же за здесь и из или им их к как какой когда кто ли либо мы на над не него нее неё нет ни
них но ну о об он она они оно от очень по под после при про с со так также там те тем то того тоже той только том ту
ты у уже хотя чем через что чтобы эта эти это этого этой этом этот я может могут будет будут который которая которые
которое свой свои свою своего своей своих теперь""",
    "uz": """va bilan uchun bu u ular ham esa lekin ammo biroq yoki hamda chunki agar yana eng juda har barcha hamma biz
men siz sen shu o'sha ushbu mazkur bo'yicha kabi qadar keyin oldin so'ng bo'ldi bo'lgan bo'lib bo'ladi edi emas deb
qildi qilib etdi ekan hali endi faqat hatto orqali tomonidan ko'ra haqida bor yo'q da de ga ni ning dan mumkin kerak
o'z o'zi ya'ni ba'zi ayrim nima qanday qachon qayerda kim ma'lum hozir""",
    "de": """der die das den dem des ein eine einer einen einem eines und oder aber doch sondern denn dass ob wenn als
wie weil da nicht kein keine ist sind war waren wird werden wurde wurden hat haben hatte hatten sein bin bist seid
kann können muss soll sollen will wollen auch noch schon nur sehr so mit von zu zum zur auf für an am im in ins aus
bei nach vor über unter durch gegen ohne um bis seit ich du er sie es wir ihr man sich mich mir dich dir ihn ihm
ihnen uns euch sein seine seiner ihre ihrer dieser diese dieses jener hier dort dann jetzt heute diesem diesen jene
jenem jenen jenes beim vom zwischen während wegen seinem seinen seines ihrem ihren ihres unser unsere unserem unseren
unserer unseres welche welcher welches welchem welchen dessen deren worden sei seien wäre wären würde würden hätte
hätten habe sowie""",
    "fr": """le la les un une des du de et ou mais donc car ni que qui quoi dont où ce cet cette ces il elle ils elles
on je tu nous vous me te se lui leur leurs son sa ses mon ma mes ton ta tes notre votre est sont était étaient être
a ont avait avaient avoir fait sera été pas ne plus très aussi bien tout tous toute toutes dans sur sous pour par
avec sans entre vers chez au aux en y comme si quand selon a près lors depuis après avant pendant contre""",
    "es": """el la los las lo un una unos unas y o u e pero sino ni que quien quienes cual cuando donde como porque si
no ya más muy también tan todo todos toda todas de del al a en con sin por para entre sobre hasta desde hacia según
es son era eran fue fueron ser estar está están estaba ha han había haber hay se le les me te nos os su sus mi mis
tu yo él ella ellos ellas nosotros usted ustedes este esta estos estas ese esa eso tras durante contra ante bajo
mediante""",
    "it": """il lo la i gli le un uno una e ed o ma però che chi cui non più molto anche come quando dove perché se già
ancora di del dello della dei degli delle a al allo alla ai agli alle da dal dalla dai in nel nello nella nei negli
nelle con su sul sulla per tra fra è sono era erano essere stato stata ha hanno aveva avere si ci ne mi ti vi lo suo
sua suoi sue loro questo questa questi queste quello quella io tu lui lei noi voi ha dopo durante contro presso
secondo col""",
    "pt": """o a os as um uma uns umas e ou mas nem que quem qual quando onde como porque se não já mais muito também
tão todo todos toda todas de do da dos das a ao aos à às em no na nos nas num numa com sem por pelo pela pelos pelas
para entre sobre até desde é são era eram foi foram ser estar está estão estava tem têm tinha ter há se lhe lhes me
te nos seu sua seus suas meu minha eu ele ela eles elas você este esta isto esse essa isso após durante
contra devido perante sob""",
    "nl": """de het een en of maar want dus dat die dit deze wie wat waar wanneer hoe omdat als niet geen ook nog al wel
zeer heel meer veel van voor op in aan met bij naar uit over door tot tegen onder tussen zonder om te is zijn was
waren wordt worden werd werden heeft hebben had hadden kan kunnen moet zal zou wil ik jij je hij zij ze wij we
jullie u men er hier daar nu dan zich mij me hem haar ons hun mijn zijn haar onze""",
    "tr": """ve veya ile ama fakat ancak çünkü ki de da bu şu o bir her hiç çok daha en gibi için kadar sonra önce göre
karşı ile olarak olan oldu olduğu olduğunu değil var yok ise mi mı mu mü ben sen biz siz onlar bunu şunu onu bunun
onun bana sana ona bize kendi ne nasıl neden nerede kim hangi şimdi yine artık sadece""",
    "pl": """i w we na z ze do od po za przez przy o u nad pod przed między bez dla a ale lub albo czy że żeby bo jak
gdy kiedy gdzie co kto który która które nie tak też już jeszcze tylko bardzo się to ten ta te tego tej tym jest są
był była było byli być będzie może ma mają miał jego jej ich mu mi go je nas was ja ty on ona ono my wy oni one swój
swoje""",
    "ar": """في من إلى الى على عن مع هذا هذه ذلك تلك التي الذي الذين أن إن ان كان كانت قد لا لم لن ما هو هي هم
و أو او ثم بعد قبل حتى عند كل بين منذ أي وقد وفي ومن وهو وهي""",
    "fa": """و در به از که این آن را با برای است بود شد شده می هم تا یا اما اگر چه نیز باید بر هر خود ما من او
آنها دیگر پس چون همه یک هیچ""",
    # scripts written without spaces are read as character bigrams (indexer.text.normalize): the bigrams of
    # Japanese verb endings and particles, and Chinese function words of two characters
    "ja": """ます まし しま した です でし ませ せん ない ので から まで こと もの よう これ それ この
その ため には では とは ても でも など して され れる れた られ なっ なる によ につ つい いて おり てい
いる いま ある あり りま って った""",
    "zh": """我们 他们 你们 这个 那个 一个 这些 那些 没有 不是 就是 可以 因为 所以 但是 已经 还是 如果
这样 我們 他們 這個 那個 這些 沒有 因為 已經 還是 這樣""",
}

# Words every news story repeats (saying, calendar, small numbers): no topic, but worth a search.
_NEWS = {
    "en": """said says say told one two new year years last next week today yesterday tomorrow monday tuesday wednesday
thursday friday saturday sunday january february april june july august september october november december""",
    "ru": """году года год сказал сказала заявил заявила сообщил сообщила один два три сегодня вчера завтра""",
    "uz": """dedi yil yili yilda bir ikki uch aytdi aytishicha bugun kecha ertaga""",
    "de": """sagte sagt""",
    "fr": """déclaré dit""",
    "es": """dijo afirmó""",
    "it": """detto""",
    "pt": """disse""",
    "nl": """zei""",
    "tr": """dedi söyledi açıkladı""",
    "pl": """powiedział powiedziała""",
    "ar": """قال وقال قالت أعلن اليوم أمس""",
    "fa": """گفت گفته امروز دیروز""",
    "ja": """述べ 発表 語っ""",
    "zh": """表示 宣布""",
}


# Words that open a clause without being a part of what it says (conjunctions, subordinators): a headline cut from
# the clause leaves them out ("Mais surtout les risques ...", "Und nun die Wettervorhersage ...").
_OPENERS = {
    "en": "and but or so yet while whereas although though because as if when since meanwhile also",
    "de": "und aber oder doch denn sondern dass ob weil wenn als während obwohl nachdem bevor damit nun auch",
    "fr": "et mais ou donc car or que si quand lorsque puisque parce alors tandis bien",
    "es": "y e o u pero sino que si cuando mientras aunque porque pues así entonces también",
    "it": "e ed o ma però che se quando mentre anche perché poiché così quindi",
    "pt": "e ou mas porém que se quando enquanto embora porque pois assim então também",
    "nl": "en maar of want dus dat als wanneer terwijl omdat hoewel ook",
    "ru": "и а но или да что чтобы если когда пока хотя потому поэтому также тоже ведь однако",
    "uk": "і й та а але чи що щоб якщо коли поки хоча тому також однак",
    "uz": "va ammo lekin biroq yoki hamda chunki agar esa ham",
    "tr": "ve ama fakat ancak veya çünkü ki eğer",
    "pl": "i a ale lub albo czy że żeby bo gdy kiedy jeśli także też",
}


# Conjunctions that join words or phrases of one clause ("Russia and Ukraine", "Staats- und Regierungschefs", "tra
# Hamas e Israele"): a headline that starts right after one joining the two names a clause opens with leaves half of
# the pair behind ("Ukraine have carried out ...", "Hamas planen ..."), and one in a headline's style stops before
# none (indexer.chapters.phrases).
_COORDINATORS = {
    "en": "and or nor", "de": "und oder sowie", "fr": "et ou ni", "es": "y e o u ni", "it": "e ed o od né",
    "pt": "e ou nem", "nl": "en of", "ru": "и или либо", "uk": "і й та або чи", "uz": "va yoki hamda",
    "tr": "ve veya ile", "pl": "i oraz lub albo",
}

# Articles: a word that opens a noun phrase, which belongs with the verb or noun before it ("a reçu | le Ballon
# d'or", "hat | einen Mann festgenommen"): a headline that stops before one has lost its object. Words that are as
# often a preposition are left out (French "du", "des"; Portuguese "a"). Elided forms are listed without their
# apostrophe ("l'" as "l"). Languages without articles (Russian, Polish, Turkish, Uzbek ...) have no list.
_ARTICLES = {
    "en": "the a an",
    "de": "der die das den dem des ein eine einen einem einer eines",
    "fr": "le la les l un une",
    "es": "el la los las un una unos unas",
    "it": "il lo la i gli le l un uno una",
    "pt": "o os as um uma uns umas",
    "nl": "de het een",
}

# What opens a noun phrase besides the articles, and is no content word: possessives and quantifiers, one word or
# two ("at least"). A headline cut before one leaves a verb without its object ("Russia has launched | its largest
# drone attack", "strikes killed | at least 35 people"). Not listed: demonstratives ("this week" is mostly a time),
# quantifiers that may float after their noun ("they both say", "ont tous voté"), words that are a subject or an
# indirect object as often ("leur a adressé", "loro hanno"; an object's "her" leaves the verb without it too),
# particles ("woke up to"), and the languages whose clauses end on the participle (German, Dutch), where the object
# comes before it (indexer.chapters.bracket).
_DETERMINERS = {
    "en": "its his her their our my your some any much more most at_least more_than",
    "fr": "son sa ses leurs mon ma mes notre nos votre vos quelques certains certaines au_moins plus_de moins_de",
    "es": "su sus mi mis nuestro nuestra nuestros nuestras algunos algunas al_menos mas_de menos_de",
    "it": "suo sua suoi sue mio mia miei mie nostro nostra nostri nostre alcuni alcune almeno piu_di meno_di",
    "pt": "seu sua seus suas meu minha nosso nossa nossos nossas alguns algumas pelo_menos mais_de menos_de",
}

# The prepositions that join a noun to the noun before it ("the explosion | of an arsenal", "la explosión | de un
# arsenal"), with their forms joined to an article; elided ones without their apostrophe ("d'un" as "d"). A
# headline cut there leaves the noun before without what it names.
_GENITIVES = {
    "en": "of",
    "fr": "de du des d",
    "es": "de del",
    "it": "di del dello della dei degli delle dell d",
    "pt": "de do da dos das",
    "de": "von",
    "nl": "van",
}


def genitives(language: str | None) -> frozenset[str]:
    """The folded prepositions that join a noun to the one before it (_GENITIVES); empty without a list."""
    return folded_words(language, _GENITIVES)


# Words that open a clause setting the scene for the story rather than telling it: subordinating conjunctions and
# relative words ("..., alors qu'une manifestation avait été interdite", "As war rages on in Gaza, ..."), and, in
# languages that set a fronted place or time off with a comma, prepositions ("Selon l'OMS, ...", "In his Christmas
# message, ..."). German and Dutch put the verb straight after a fronted phrase ("Am Nachmittag feuert die Hamas
# ..."): only their conjunctions are listed. Elided forms are listed without their apostrophe ("qu'une" as "qu").
_SUBORDINATORS = {
    "en": "because although though while whereas when whenever if unless since as after before until once whether "
          "which who whom whose where",
    "de": "dass weil wenn als ob obwohl obgleich nachdem bevor damit während sobald seitdem falls indem wo wie wer um",
    "fr": "que qu quand lorsque lorsqu puisque puisqu parce comme si tandis quoique afin dont qui",
    "es": "que porque cuando mientras aunque si como donde cuyo cuya quien quienes pues",
    "it": "che perché poiché quando mentre sebbene benché se come dove cui affinché nonostante",
    "pt": "que porque quando enquanto embora se como onde cujo cuja quem pois",
    "nl": "dat omdat als wanneer terwijl hoewel nadat voordat zodat indien wie waar",
    "ru": "что чтобы если когда хотя потому поскольку пока который которая которое которые где",
    "uk": "що щоб якщо коли хоча тому оскільки поки який яка яке які де",
}
_PREPOSITIONS = {
    "en": "in on at after before during since until following amid despite according with without for from "
          "under over across throughout by like unlike",
    "fr": "dans selon depuis après avant pendant malgré avec sans pour par sur sous chez en à au aux entre vers face "
          "lors dès durant",
    "es": "en tras según desde durante para por con sin ante bajo sobre entre hacia hasta a al de del",
    "it": "in con per tra fra su da di a secondo dopo prima durante nel nella nei nelle negli nello sul sulla sui dal "
          "dalla dai del della al alla ai agli allo",
    "pt": "em no na nos nas com para por pelo pela sem sobre entre segundo após durante desde até de do da dos das "
          "ao aos à às num numa",
}
# Relative pronouns: one that opens a clause after a comma (past a preposition) opens a relative clause, which a
# headline leaves out ("Soldaten, die ... benachteiligt wurden, sollen entschädigt werden"). French "que", which
# opens an object clause as often, is left out; Spanish and Portuguese "que" and Italian "che" are listed, since
# after a comma they mostly open a relative clause, and German "welche ..." is left out, more often an indirect
# question. German and Dutch write theirs as their articles (indexer.chapters.variants.relative_end tells them apart).
_RELATIVES = {
    "en": "which who whom whose",
    "de": "der die das dem den denen deren dessen",
    "nl": "die dat wie wat waarin waarop waarmee",
    "fr": "qui dont lequel laquelle lesquels lesquelles",
    "es": "que quien quienes cuyo cuya cuyos cuyas",
    "it": "che cui quale quali",
    "pt": "que quem cujo cuja cujos cujas",
    "ru": "который которая которое которые которого которой которых которому которым которыми котором",
    "uk": "який яка яке які якого якої яких якому яким якими якім",
}
# German and Dutch prepositions, which scene_openers leaves out: the verb follows straight after a phrase they open,
# with no comma ("In Ungarn hat die Regierung ..."), and a headline may start at the subject after that verb.
_FRONTING = {
    "de": "in im am an ans auf aus bei beim mit nach von vom zu zum zur über unter vor hinter neben zwischen durch "
          "für gegen ohne um seit während wegen trotz laut ab ins aufs ums innerhalb außerhalb angesichts anlässlich "
          "aufgrund infolge entlang gemäß dank",
    "nl": "in op aan bij met na van voor naar over onder tussen door tegen zonder om sinds tijdens",
}
# The finite auxiliaries and copulas, as written (lower case: Italian "è" is no "e"): a clause opened by a
# preposition that holds one tells the story itself ("En Italia ha comenzado el juicio ...,"); in German and Dutch,
# one after a fronted phrase is followed by the subject.
_AUXILIARIES = {
    "en": "is are was were has have had will would can could may might must should",
    "fr": "est sont était étaient a ont avait avaient sera seront va vont fut peut doit",
    "es": "es son era eran fue fueron ha han había habían será serán está están estaba va van puede",
    "it": "è sono era erano fu ha hanno aveva avevano sarà saranno sta stanno può deve",
    "pt": "é são era eram foi foram tem têm tinha tinham há será serão está estão vai vão pode deve",
    "de": "ist sind war waren hat haben hatte hatten wird werden wurde wurden kann können muss müssen soll sollen",
    "nl": "is zijn was waren heeft hebben had hadden wordt worden werd werden kan kunnen moet moeten zal zullen",
}

# When a story happened, as news says it in mid-clause and a headline leaves it out ("Viele Arztpraxen sind heute
# geschlossen geblieben", "Le président a signé ce jeudi un projet de loi"): the days and their neighbours, then
# the words that may lead them ("on", "am", "ce", "el pasado"), then those that may follow ("matin", "Abend",
# "scorso"). Three strings separated by "|".
_TIMES = {
    "en": """today yesterday tonight monday tuesday wednesday thursday friday saturday sunday |
on this last next early late | morning afternoon evening night""",
    "de": """heute gestern montag dienstag mittwoch donnerstag freitag samstag sonntag montagabend dienstagabend
mittwochabend donnerstagabend freitagabend samstagabend sonntagabend | am an diesem vergangenen letzten kommenden
bereits schon erst noch | morgen vormittag mittag nachmittag abend nacht früh""",
    "fr": """aujourd'hui hier lundi mardi mercredi jeudi vendredi samedi dimanche | ce cette le dès | matin midi
après-midi soir dernier prochain""",
    "es": """hoy ayer anoche lunes martes miércoles jueves viernes sábado domingo | el este esta pasado próximo |
pasado""",
    "it": """oggi ieri stamattina stasera lunedì martedì mercoledì giovedì venerdì sabato domenica | lo questo questa |
mattina pomeriggio sera notte scorso scorsa prossimo prossima""",
    "pt": """hoje ontem segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo | neste nesta na
no o a esta este | passado passada""",
}

@lru_cache(maxsize=64)
def stop_words(language: str | None) -> frozenset[str]:
    """The folded stop words of a language ('en-US' reads as 'en'): its function words and its news words; empty
    for a language without a list."""
    return folded_words(language, _LISTS, _NEWS)


@lru_cache(maxsize=64)
def function_words(language: str | None) -> frozenset[str]:
    """The folded function words alone: what a keyword search may leave out (a weekday or "said" it may not)."""
    return folded_words(language, _LISTS)


@lru_cache(maxsize=16)
def function_words_outside(script: str | None) -> frozenset[str]:
    """The function words of every list, written in another script than `script` (as indexer.text.scripts names
    it): in a Russian report, a quote in English ("will", "not", "from") says nothing of its topics either. Words of
    the same script are left out (English "die" or "also" may be content words in another Latin-script language;
    Uzbek written in Cyrillic has "она", mother). Empty for no script."""
    if script is None:
        return frozenset()
    return frozenset(w for code in _LISTS for w in function_words(code) if main_script(w) not in (script, None))


@lru_cache(maxsize=64)
def openers(language: str | None) -> frozenset[str]:
    """The folded words that open a clause without being part of what it says (_OPENERS); empty without a list."""
    return folded_words(language, _OPENERS)


@lru_cache(maxsize=64)
def coordinators(language: str | None) -> frozenset[str]:
    """The conjunctions that join words or phrases of one clause (_COORDINATORS), in lower case with their accents
    (folded, Italian "è" and Portuguese "é", "is", would read as "e", "and"); empty without a list."""
    return frozenset(_COORDINATORS.get(primary_language(language) or "", "").split())


@lru_cache(maxsize=64)
def news_words(language: str | None) -> frozenset[str]:
    """The folded news words alone (days, "yesterday", verbs of saying): stop words that are no function words."""
    return stop_words(language) - function_words(language)


@lru_cache(maxsize=64)
def scene_openers(language: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The folded subordinators and the folded scene-setting prepositions of a language (_SUBORDINATORS,
    _PREPOSITIONS); empty sets without a list."""
    return folded_words(language, _SUBORDINATORS), folded_words(language, _PREPOSITIONS)


@lru_cache(maxsize=64)
def relatives(language: str | None) -> frozenset[str]:
    """The folded relative pronouns of a language (_RELATIVES); empty without a list."""
    return folded_words(language, _RELATIVES)


@lru_cache(maxsize=64)
def prepositions(language: str | None) -> frozenset[str]:
    """The folded prepositions that may open a clause: scene_openers' and, for German and Dutch, _FRONTING's."""
    return folded_words(language, _PREPOSITIONS, _FRONTING)


@lru_cache(maxsize=64)
def auxiliaries(language: str | None) -> frozenset[str]:
    """The finite auxiliaries and copulas of a language, lower case with their accents (_AUXILIARIES)."""
    return frozenset(_AUXILIARIES.get(primary_language(language) or "", "").split())


@lru_cache(maxsize=64)
def times(language: str | None) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The folded time words of a language, those that may lead them and those that may follow them (_TIMES); empty
    sets without a list."""
    core, lead, trail = (frozenset(fold(w) for w in part.split())
                         for part in _TIMES.get(primary_language(language) or "", "||").split("|"))
    return core, lead, trail


@lru_cache(maxsize=64)
def articles(language: str | None) -> frozenset[str]:
    """The folded articles of a language (_ARTICLES); empty without a list."""
    return folded_words(language, _ARTICLES)


@lru_cache(maxsize=64)
def determiners(language: str | None) -> frozenset[str]:
    """The folded words, and pairs of words joined by a space, that open a noun phrase in a language besides its
    articles (_DETERMINERS); empty without a list."""
    return frozenset(w.replace("_", " ") for w in folded_words(language, _DETERMINERS))


def folded_words(language: str | None, *tables: dict[str, str]) -> frozenset[str]:
    """The folded words that these tables list for a language ('en-US' reads as 'en'); empty where none does."""
    code = primary_language(language) or ""
    return frozenset(fold(w) for table in tables for w in table.get(code, "").split())


def languages() -> tuple[str, ...]:
    """The language codes that have a list."""
    return tuple(_LISTS)
