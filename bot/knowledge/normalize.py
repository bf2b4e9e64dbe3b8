"""Text normalisation, tokenisation, stemming and language detection for ar, fr and en."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from typing import Final, Literal

import snowballstemmer

logger = logging.getLogger(__name__)

Lang = Literal["ar", "fr", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("ar", "fr", "en")

# --- Arabic orthography -------------------------------------------------------------------------

# Tashkeel (harakat, tanween, shadda, sukun, dagger alef) and Quranic annotation marks.
_AR_DIACRITICS_RE: Final = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL: Final = "\u0640"

_AR_CHAR_MAP: Final[dict[int, str]] = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, common on phones set up for Persian/Urdu keyboards
        "ې": "ي",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",
        "گ": "ك",  # Iraqi/Moroccan "g" is typed with gaf but spelt kaf or qaf in documents
        "ڤ": "ف",
        "پ": "ب",
        "چ": "ج",
        _TATWEEL: "",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)

_ARABIC_LETTER_RE: Final = re.compile("[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER_RE: Final = re.compile("[a-zA-Z\u00c0-\u024f]")
_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_TOKEN_OR_LINE_BREAK_RE: Final = re.compile(r"[^\W_]+|\n")

# Definite article, alone or behind a conjunction/preposition; longest first.
_AR_ARTICLE_PREFIXES: Final[tuple[str, ...]] = (
    "وبال",
    "وكال",
    "فبال",
    "وال",
    "فال",
    "بال",
    "كال",
    "ولل",
    "فلل",
    "لل",
    "ال",
)
# One-letter clitics (and, so, with/in, like, for). They cannot be told apart from a word's
# first letter without a dictionary (ورشة, بلدية, لجنة), so they only produce *variants*.
_AR_CLITICS: Final = frozenset("وفبكل")
_AR_VERB_MARKERS: Final = frozenset("بحهس")
_AR_PERSON_PREFIXES: Final = frozenset("يتنا")
_AR_MIN_STEM_CHARS: Final = 3
_AR_MIN_AFTER_ARTICLE_CHARS: Final = 2
_AR_FEMININE_PLURAL_MIN_CHARS: Final = 5

# --- Latin orthography --------------------------------------------------------------------------

_APOSTROPHES_RE: Final = re.compile("[\u2019\u2018\u02bc`\u00b4]")
_AMPERSAND_INITIALS_RE: Final = re.compile(r"\b([^\W\d_])&([^\W\d_])\b")
_FR_ELISION_RE: Final = re.compile(r"\b(l|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu)'", re.IGNORECASE)


def _latin_fold_table() -> dict[str, str]:
    table = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"}
    for code in range(0xC0, 0x250):
        char = chr(code)
        if char != char.lower() or char in table:
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base != char and base.isascii():
            table[char] = base
    # Stray combining accents typed as separate characters.
    table.update({chr(code): "" for code in range(0x300, 0x370)})
    return table


_LATIN_FOLD: Final[dict[str, str]] = _latin_fold_table()
_LATIN_FOLD_RE: Final = re.compile("[" + "".join(re.escape(c) for c in _LATIN_FOLD) + "]")
_FRENCH_ACCENTS_RE: Final = re.compile("[àâçéèêëîïôûùüÿœ]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Stopwords ----------------------------------------------------------------------------------
# Question words, fillers and greetings: they carry no topic, and a question made only of them
# ("hello", "شو في؟") must not match anything.

_EN_STOPWORDS: Final = _words(
    """
    a about above after again all also am an and any are aren as at be because been before being
    between both but by can cannot could did didn do does doesn doing don down during each else
    ever every few for from further get gets getting give go going got had has hasn have haven
    having he her here hers herself him himself his how i if in into is isn it its itself just
    let lets me more most much my myself no nor not now of off on once only or other ought our
    ours ourselves out over own please same shall she should so some such tell than that thats
    the their theirs them themselves then there these they this those through to too under
    until up upon us very was wasn we were weren what whats when where which while who whom
    whose why will with within without won would you your yours yourself yourselves hi hello
    hey thanks thank ok okay pls plz kindly know explain show want wanted like whats anything
    something someone anyone is there im ive id youre yes yeah hm hmm dear sir madam
    best good great time way thing things stuff exactly really actually idea ideas maybe kind
    sort lot lots find look looking happened happen happens happening
    """
)

_FR_STOPWORDS: Final = _words(
    """
    a ai aie aient aies ait alors as au aucun aucune aupres aussi autre autres aux avais avait
    avec avez aviez avoir avons ayant bah bien bon bonjour bonsoir c ca car ce ceci cela celle
    celles celui ceux cet cette ces chaque chez ci comme comment d dans de des deja dire dis
    dit dites donc dont du elle elles en encore es est et etaient etais etait etes etre eu eux
    fait faire fais faut hein ici il ils j je jusqu l la le les leur leurs lui m ma mais me meme
    merci mes moi mon n ne ni nos notre nous on ont ou par parce pas peu peut peux pourriez
    pouvez pourquoi pour qu quand que quel quelle quelles quels qui quoi s sa sais salut sans
    savoir se ses si sil slt son sont stp svp sur t ta te tes toi ton tous tout toute toutes
    tres tu un une vos votre vous voudrais voulais veux veut y ya cest quest questce quoi
    expliquer explique expliquez montre montrez dire parle parlez connais connaitre oui non
    quelque quelques svp madame monsieur combien koi kwa ke ki pk pq stp slt cc
    meilleur meilleure meilleurs bon bonne temps heure chose choses truc trucs vraiment
    exactement idee idees obtenir trouver chercher ete sera seront serait fut aura auront
    aurait passe
    """
)

# Arabic question words, particles and auxiliaries written in Latin letters (Maghrebi,
# Egyptian and Levantine spellings). Words that are also English or French (fin, win, men)
# are left out.
_ARABIZI_STOPWORDS: Final = _words(
    """
    chno chnou chnowa chnoua chnia chneya shno shnu shnou shou chou shu kifach kifech kifash
    kifesh kif izay ezay ezzay izzay eh ih wach wech wayn mnin 3lach 3lech 3lash lech lesh leh
    imta emta wa9tach waqtach 9adech 9adach 9ddach chhal ch7al bch bech bach bash nheb n7eb
    n7ebb nhebb nhebbou bghit bghina nbghi baddi biddi bidi 3ayez 3ayz 3awez 3ayzin 3awzin
    3andkom 3andek 3ndkom 3andi 3andna ya3ni mta3 mte3 dyal dial diyal dyalna dyalkom ta3 3la
    3ala m3a ma3a howa huwa hiya hia heya ana ena e7na i7na a7na ehna 7na n9der n9dar na9der
    n9dro nnajem najem ndir ndiro ndirou na3mel n3mel n3ml n3mlo ne3mel al el il di dah deh
    hadi hada hadak hedha hedhi bezabt bzabt belzabt lyoum lyoma daba tawa barcha bzaf fi 3an
    bel fel fil lil mel mn wesh chnahouma chkoun chkon meen min3ayez momken mumkin mumken
    shunu shinu shenu shin chin chinu sho shoo eish aysh ech ish bil wil wel elli illi lli
    yalli halli msh mish mush mesh mafi fama famma kayen kayn chi shi hal hadha hathi hatha
    hedi hadhi ahna e7na ya3ni wla walla aw ama ken kan kanet kont kunt 3la 3al 3ndna 3idna
    ma3 elly illy sar sarat sayer shlon chlon eshlon 3ashan 3shan 3lshan bta3 btaa bi wa
    salam slm salamou inchallah inshallah nchallah incha wallah walah yallah marhaba ahlan
    habibi khoya khouya akhi sahbi hamdullah hamdoulah hamdulillah chokran shukran choukran
    baraka barak allah
    """
)

_AR_STOPWORDS_RAW: Final = """
    من في على الى إلى عن مع هل ما ماذا لماذا كيف اين أين متى كم هو هي هم هن انا أنا نحن انت أنت
    انتم أنتم هذا هذه ذلك تلك هؤلاء التي الذي الذين اللذين او أو ثم لا لم لن قد كان كانت يكون
    ان أن إن انه أنه كل بعض غير عند لدى بين حول لي لنا لك لكم له لها لهم به بها فيه فيها عليه
    عليها منه منها اي أي ايضا أيضا يا بس اذا إذا لو
    شو ايش إيش اش آش ايه إيه وين فين فاين كيفاش كيفش شنو شنهو شنوهو اشنو شنية شلون ليش ليه
    علاش لاش امتى إمتى امتي وقتاش قديش قداش اديش كام منين مين شكون واش ماهو ماهي شو هو
    هاد هادا هادي هاذ هاذا هاذي هذي دي ده دا هيدا هيدي هيك هاي هاذو اللي الي ديال ديالكم
    تاع متاع بتاع نتاع بدي بدنا بدك عايز عاوز عايزه عاوزه عايزين عاوزين حاب حابب حابه نحب
    ابغى ابي ابغي نبغي بغيت بغينا نبي ممكن ارجو أرجو رجاء لوسمحت سمحت فضلك فضلكم مرحبا
    السلام سلام عليكم اهلا أهلا شكرا يعطيك العافيه تقولي قولي قلي خبرني احكيلي احكيلنا
    عرفني عرفنا اعرف نعرف بعرف بعرفش كمان برضو برضه شي شيء حاجه حاجة كاين كاينه كاينة
    عندكم عندك عندي يعني طيب اوكي صباح الخير مساء النور اخي أخي اختي أستاذ استاذ
    معكم معك معنا معاكم معاك معانا بيكم فيكم منكم عنكم ليكم الكم
    ويا وياكم ويانا وياهم احسن أحسن افضل أفضل وقت بالضبط فكره فكرة
    هناك يوجد توجد أود اود نود يمكنني يمكننا يمكن استطيع أستطيع نستطيع اقدر أقدر نقدر
    تقدر يقدر ينفع لازم يجب علي معلومات كيفيه كيفية اخبرني أخبرني حدثني احكي اشرح
    تعرف تعرفني عرفوني احتاج أحتاج نحتاج محتاج محتاجين ابحث أبحث نبحث جدا حول
    ازاي إزاي ازاى عاوزه عايزين كده كدا بتاعة بتاعت علشان عشان ياريت بقى طب
    بدك بدكم بدكن بدو فيني فينا فيي منقدر بقدر هلق هلأ هلا منشان مشان لشو عم رح راح
    هيدول هسا هسه زي اشي إشي
    شنوة شنوا شنيا نجم نجمو نجموا باش برشا ياسر توا توة متاعكم متاعنا يعيشك بالله
    اشنو أشنو آش امتا إمتا شحال كنبغي خاصني خصني خاصنا ديالي ديالنا كاينين بزاف دابا عافاك
    اشلون شكد اشكد شكثر منو يمته شوكت شيصير اريد أريد نريد اكو ماكو شكو هوايه هواية عدكم خوش
    شن شني شنهي نبو تبي هلبا باهي عدنا عندنا ال
    احنا إحنا حنا نحنا نعمل نعملو اعمل نسوي اسوي ندير نديرو نديرها مال شصار صار شنو شكو
    """


_AR_REPLACEMENTS: Final[tuple[tuple[str, str], ...]] = tuple(
    (chr(code), target) for code, target in _AR_CHAR_MAP.items()
)
_AR_MAPPED_CHARS_RE: Final = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in _AR_CHAR_MAP) + "]"
)


def _normalize_arabic_orthography(text: str) -> str:
    # str.translate is slow on long non-ASCII texts; a few str.replace calls are not.
    text = _AR_DIACRITICS_RE.sub("", text)
    if _AR_MAPPED_CHARS_RE.search(text) is None:
        return text
    for source, target in _AR_REPLACEMENTS:
        if source in text:
            text = text.replace(source, target)
    return text


_AR_STOPWORDS: Final = frozenset(
    _normalize_arabic_orthography(w) for w in _AR_STOPWORDS_RAW.split()
)
# و ف ب ل glued to a question word or a particle (وكيف، فما، بشو، لوين) leave it one.
_AR_STOPWORD_CLITICS: Final = frozenset("وفبل")
# Accusative tanween (دعماً, typed دعما): the alef carries no meaning of its own.
_AR_ACCUSATIVE_MIN_CHARS: Final = 4
# Possessive endings (بلديتنا، مدينتي، برامجكم), longest first.
_AR_POSSESSIVE_SUFFIXES: Final[tuple[str, ...]] = ("كم", "هم", "ها", "نا", "ي", "ك", "ه")

_STEMMERS: Final = {
    lang: snowballstemmer.stemmer(name)
    for lang, name in (("ar", "arabic"), ("fr", "french"), ("en", "english"))
}


# --- Normalisation ------------------------------------------------------------------------------


def normalize_arabic(text: str) -> str:
    """Remove tashkeel and tatweel, unify alef/yaa/taa marbuta/hamza carriers, ASCII digits."""
    # Presentation forms (ﻻ, ﷲ) and compatibility characters need NFKC; most texts do not.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _normalize_arabic_orthography(text)


def fold_latin(text: str) -> str:
    """Lowercase and remove accents (é→e, ç→c, œ→oe), leaving other scripts untouched."""
    text = text.lower()
    if text.isascii():
        return text
    return _LATIN_FOLD_RE.sub(_fold_match, text)


def _fold_match(match: re.Match[str]) -> str:
    return _LATIN_FOLD[match.group()]


def split_elisions(text: str) -> str:
    """Turn "l'atelier", "d’Amman", "qu'est" into separate words."""
    return _FR_ELISION_RE.sub(r"\1 ", _APOSTROPHES_RE.sub("'", text))


def normalize(text: str) -> str:
    """Normalise a whole text in any of the three languages (script-aware, language-agnostic).

    Elided French articles need no special step: words are split at apostrophes, so "l'atelier"
    gives "l" (dropped) and "atelier". Initials joined by "&" (R&R, M&E) become one word, or
    they would be one-letter words, which are dropped.
    """
    if "&" in text:
        text = _AMPERSAND_INITIALS_RE.sub(r"\1\2", text)
    return fold_latin(normalize_arabic(text))


def is_arabic_word(word: str) -> bool:
    return _ARABIC_LETTER_RE.search(word) is not None


def strip_arabic_article(word: str) -> str:
    """Remove ال and its attached forms (وال، بال، لل...) when enough of the word is left."""
    for prefix in _AR_ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _AR_MIN_AFTER_ARTICLE_CHARS:
            return word[len(prefix) :]
    return word


def arabic_clitic_variants(word: str) -> tuple[str, ...]:
    """The word itself, then the word without one or two leading clitics (و ف ب ك ل).

    Stripping is ambiguous (وطني, بلدية, لجنة start with those letters), so both readings are
    kept and the search scores the better one. The remainder must keep at least three letters.
    """
    variants = [word]
    current = word
    for _ in range(2):
        if current[:1] in _AR_CLITICS and len(current) - 1 >= _AR_MIN_STEM_CHARS:
            current = strip_arabic_article(current[1:])
            variants.append(current)
        else:
            break
    return tuple(dict.fromkeys(variants))


def arabic_verb_variants(word: str) -> tuple[str, ...]:
    """Readings of a word as a present-tense verb: without the continuous/future marker
    (ب ح ه س, as in بتعمل، حنعمل) and the person prefix (ي ت ن ا), as in نطلب → طلب; and
    the verbal nouns of the verb left (ندرّب → تدريب, نشارك → مشاركة, نرسل → ارسال), which is
    how the documents name the same action.

    Too ambiguous for indexing (تطرف, تونس start the same way); the search tries them for
    words the knowledge base does not know as topics.
    """
    bases: list[str] = []
    current = word
    if current[:1] in _AR_VERB_MARKERS and current[1:2] in _AR_PERSON_PREFIXES:
        current = current[1:]
        bases.append(current)
    if current[:1] in _AR_PERSON_PREFIXES and len(current) - 1 >= _AR_MIN_STEM_CHARS:
        bases.append(current[1:])
    variants: list[str] = []
    for base in bases:
        variants.append(base)
        if len(bases) > 1 and base == bases[0]:
            continue  # the marker alone left a person prefix on: no verbal noun of that
        variants.extend(_verbal_nouns(base))
    return tuple(dict.fromkeys(v for v in variants if len(v) >= _AR_MIN_STEM_CHARS))


def _verbal_nouns(base: str) -> list[str]:
    """Masdar patterns of a verb's bare form: تفعيل (form II), مفاعلة (III), إفعال (IV),
    and تفعّل/تفاعل (V, VI), which are their own verbal nouns."""
    if len(base) == 3:
        c1, c2, c3 = tuple(base)
        return [f"ت{c1}{c2}ي{c3}", f"ا{c1}{c2}ا{c3}", f"م{c1}ا{c2}{c3}ه"]
    if len(base) == 4 and base[1] == "ا":
        return [f"م{base}ه"]
    if len(base) == 4 and base[0] == "ت":
        return [f"{base[:3]}ي{base[3]}"]
    return []


def arabic_suffix_variants(word: str) -> tuple[str, ...]:
    """The word without a possessive ending (بلديتنا → بلديه, برامجكم → برامج): the
    taa marbuta written ت before the ending is given back its own form."""
    variants: list[str] = []
    for suffix in _AR_POSSESSIVE_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _AR_MIN_STEM_CHARS:
            base = word[: -len(suffix)]
            variants.append(base[:-1] + "ه" if base.endswith("ت") else base)
    return tuple(dict.fromkeys(variants))


# Arabic in Latin letters: the digits stand for letters Latin lacks (3 ع, 7 ح, 9 ق, 5 خ, 8 غ,
# 2 ء); pairs of letters and q are folded to the same marks, vowels are dropped.
_ARABIZI_FOLDS: Final[tuple[tuple[str, str], ...]] = (
    ("kh", "5"),
    ("gh", "8"),
    ("sh", "$"),
    ("ch", "$"),
    ("th", "t"),
    ("dh", "d"),
    ("ou", "u"),
    ("q", "9"),
    ("2", ""),
)
_ARABIZI_VOWELS_RE: Final = re.compile("[aeiouy]")
_REPEATED_CHAR_RE: Final = re.compile(r"(.)\1+")


def arabizi_skeleton(word: str) -> str:
    """The consonants of an Arabic word written in Latin letters, so that its spellings meet
    (baladiya, baladia, baladeya → bld; ta9ni, te9ni, taqni → t9n)."""
    for pair, mark in _ARABIZI_FOLDS:
        word = word.replace(pair, mark)
    return _REPEATED_CHAR_RE.sub(r"\1", _ARABIZI_VOWELS_RE.sub("", word))


# Arabic in Latin letters read against the Arabic words of the documents: both sides are
# reduced to the consonants Latin writers spell alike (ص and س are "s", ح and ه "h"), long
# vowels and the letters that double as vowels (ا و ي) dropped, so that "lajnet" meets لجنة
# and "mokafa7et" مكافحة without a list of spellings.
_ARABIC_CONSONANT_CLASSES: Final[dict[str, str]] = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "5", "د": "d", "ذ": "d",
    "ر": "r", "ز": "z", "س": "s", "ش": "$", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "3", "غ": "8", "ف": "f", "ق": "9", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "w": "w",
}  # fmt: skip
_LATIN_CONSONANT_FOLDS: Final[tuple[tuple[str, str], ...]] = (
    ("kh", "5"),
    ("gh", "8"),
    ("sh", "$"),
    ("ch", "$"),
    ("th", "t"),
    ("dh", "d"),
    ("q", "9"),
    ("7", "h"),
    ("g", "j"),
    ("p", "b"),
    ("v", "f"),
    ("c", "k"),
    ("x", "ks"),
)
_LATIN_NON_CONSONANTS_RE: Final = re.compile("[aeiouyw2]")
_ATTACHED_ARTICLE_RE: Final = re.compile("(?:[aei]?l)[^aeiouy]")
_INITIAL_W_RE: Final = re.compile("w[aeiou]")
# Fewer consonants than this stand for too many Arabic words.
TRANSLITERATION_MIN_CONSONANTS: Final = 3


def arabic_consonants(word: str) -> str:
    """The consonant skeleton of a normalised Arabic word (the article stripped by the caller):
    ا و ي and hamza dropped, a final ه (taa marbuta, normalised) dropped, doubles merged."""
    if word.endswith("ه"):
        word = word[:-1]
    if word.startswith("و"):
        word = "w" + word[1:]  # a first و is the consonant
    skeleton = "".join(_ARABIC_CONSONANT_CLASSES.get(char, "") for char in word)
    return _REPEATED_CHAR_RE.sub(r"\1", skeleton)


def arabizi_consonant_readings(word: str) -> tuple[str, ...]:
    """Consonant skeletons an Arabic word written in Latin letters may have in Arabic script
    (see arabic_consonants): as written, without a final t or h (the taa marbuta of "lajnet",
    "baladiyah"), and without an attached article ("lmarkaz", "elmadina")."""
    if not word.isascii() or word.isdigit():
        return ()
    # A first w before a vowel is the consonant و ("watani"), not a vowel.
    skeleton = "&" + word[1:] if _INITIAL_W_RE.match(word) else word
    for pair, mark in _LATIN_CONSONANT_FOLDS:
        skeleton = skeleton.replace(pair, mark)
    skeleton = _REPEATED_CHAR_RE.sub(r"\1", _LATIN_NON_CONSONANTS_RE.sub("", skeleton))
    skeleton = skeleton.replace("&", "w")
    readings = [skeleton]
    if skeleton[-1:] in ("t", "h"):
        readings.append(skeleton[:-1])
    if _ATTACHED_ARTICLE_RE.match(word):
        readings += [reading[1:] for reading in list(readings)]
    return tuple(dict.fromkeys(r for r in readings if len(r) >= TRANSLITERATION_MIN_CONSONANTS))


def looks_arabizi(word: str) -> bool:
    """A Latin word with a digit standing for an Arabic letter (ma3, 7abes, lfari9), or one
    of the particles of Arabic written in Latin letters (chno, ya3ni, dyal)."""
    if word in _ARABIZI_STOPWORDS:
        return True
    return (
        not word.isdigit()
        and word.isascii()
        and any(d in word for d in "2379")
        and any(c.isalpha() for c in word)
    )


def is_stopword(word: str) -> bool:
    """Whether a normalised word carries no topic in any of the three languages."""
    if is_arabic_word(word):
        return word in _AR_STOPWORDS
    return word in _EN_STOPWORDS or word in _FR_STOPWORDS or word in _ARABIZI_STOPWORDS


def tokenize(text: str) -> list[str]:
    """Normalised content words of a text: stopwords and one-letter words dropped, Arabic
    article removed. Works on any mix of Arabic and Latin script."""
    return tokenize_normalized(normalize(text))


def tokenize_normalized(text: str) -> list[str]:
    """tokenize() for text that already went through normalize()."""
    return [word for raw in _TOKEN_RE.findall(text) if (word := content_word(raw))]


def raw_words(normalized_text: str, *, keep_line_breaks: bool = False) -> list[str]:
    """Every word of a normalised text, before stopword removal (feed them to content_word);
    with keep_line_breaks, each line break is kept as a "\\n" item."""
    if keep_line_breaks:
        return _TOKEN_OR_LINE_BREAK_RE.findall(normalized_text)
    return _TOKEN_RE.findall(normalized_text)


@lru_cache(maxsize=500_000)
def content_word(raw: str) -> str:
    """The searchable form of one normalised word, or "" for stopwords and one-letter words."""
    if len(raw) < 2 and not raw.isdigit():
        return ""
    if is_stopword(raw):
        return ""
    if is_arabic_word(raw):
        if raw[:1] in _AR_STOPWORD_CLITICS and raw[1:] in _AR_STOPWORDS:
            return ""
        raw = strip_arabic_article(raw)
        if raw in _AR_STOPWORDS:
            return ""
    return raw


@lru_cache(maxsize=200_000)
def stem(word: str, lang: Lang) -> str:
    """Snowball stem of one normalised word."""
    return _STEMMERS[lang].stemWord(_before_stemming(word, lang))


def _before_stemming(word: str, lang: Lang) -> str:
    if lang != "ar":
        return word
    if word.endswith("ات") and len(word) >= _AR_FEMININE_PLURAL_MIN_CHARS:
        # Snowball's Arabic stemmer leaves sound feminine plurals half-stripped (شبكات→شبكا while
        # شبكة→شبك); rewriting the suffix as the singular's ending makes them meet.
        return word[:-2] + "ه"
    if word.endswith("ا") and len(word) >= _AR_ACCUSATIVE_MIN_CHARS:
        # The stemmer keeps the accusative alef (فنيا→فني while فني→فن). Names ending in alef
        # (ليبيا) lose it too, in the documents as in the questions, so they still meet.
        return word[:-1]
    return word


def _stem_all(words: list[str], lang: Lang) -> list[str]:
    """stem() of many words in one stemmer call (per-word calls cost more than the stemming)."""
    return _STEMMERS[lang].stemWords([_before_stemming(w, lang) for w in words])


@lru_cache(maxsize=200_000)
def term_variants(word: str) -> tuple[str, ...]:
    """Index terms for one normalised word, best reading first.

    Latin words get both the French and English stems, so a question matches the other
    language's text of the same entry ("Tanger"/"Tangier") whatever language was detected.
    Arabic words get one stem per clitic reading. Terms carry a script tag so an Arabic stem
    never collides with a Latin one.
    """
    if word.isdigit():
        return (word,)
    if is_arabic_word(word):
        return tuple(dict.fromkeys(stem(v, "ar") for v in arabic_clitic_variants(word)))
    return tuple(dict.fromkeys((stem(word, "en"), stem(word, "fr"))))


def term_variants_of_all(words: list[str]) -> list[tuple[str, ...]]:
    """term_variants() of each word, computed in bulk for building an index of many words."""
    arabic: list[str] = []  # clitic readings of the Arabic words, to stem in one go
    # Per word: None for a number, () for a Latin word, else its Arabic clitic readings.
    readings: list[tuple[str, ...] | None] = []
    for word in words:
        if word.isdigit():
            readings.append(None)
        elif is_arabic_word(word):
            variants = arabic_clitic_variants(word)
            readings.append(variants)
            arabic.extend(variants)
        else:
            readings.append(())
    latin = [w for w, r in zip(words, readings, strict=True) if r == ()]
    ar_stems = iter(_stem_all(arabic, "ar"))
    en_stems = iter(_stem_all(latin, "en"))
    fr_stems = iter(_stem_all(latin, "fr"))
    out: list[tuple[str, ...]] = []
    for word, reading in zip(words, readings, strict=True):
        if reading is None:
            out.append((word,))
        elif reading:
            out.append(tuple(dict.fromkeys([next(ar_stems) for _ in reading])))
        else:
            out.append(tuple(dict.fromkeys((next(en_stems), next(fr_stems)))))
    return out


# --- Language detection -------------------------------------------------------------------------

_EN_EVIDENCE: Final = _words(
    """the of and is are what how who where when which why does do did can could would should
    about with for from this that these there their your my our i we you it its has have any
    to in an be was were will tell me please city cities youth"""
)
_FR_EVIDENCE: Final = _words(
    """le la les des du de un une et est sont quoi comment quel quelle quels quelles qui que
    ou quand pourquoi combien avec pour sur dans au aux ce cette ces je nous vous mon ma mes
    notre nos votre vos il elle ils elles pas ville villes jeunes jeunesse mairie commune
    conseil atelier ateliers reseau contacter svp stp bonjour merci peut peux pouvez faire
    cest quest koi vers mai juin juillet aout avril fevrier janvier mars sous chez aussi
    pratique pratiques bonnes bonne boite outils outil anciens anciennes emploi ronde
    meilleur afrique femmes enfants maire maires communes sommet feuille route gestion crise
    partenariat protocole ministere lancement deuxieme premier premiere echange prochain
    mondial communal municipalite nationale locale locaux haine ligne egalite genre politique
    urbaine irak tunisie maroc liban libye jordanie egypte espagne aide appui equipe adresse
    financement reunion rencontre quoi ou
    """
)
_FR_SUFFIXES: Final = ("ique", "iques", "ienne", "iennes", "eux", "ees", "eurs")
_EN_SUFFIXES: Final = ("ing", "ness", "ship", "ings")


# A Latin-script question is clearly French or English when its evidence adds up to this much
# and to twice the other language's.
CLEAR_LANGUAGE_MIN_EVIDENCE: Final = 1.0
CLEAR_LANGUAGE_MIN_RATIO: Final = 2.0


def _language_evidence(text: str) -> tuple[int, int, float, float]:
    """Arabic words, Latin words, French evidence and English evidence of a text."""
    arabic_words = latin_words = 0
    for word in _TOKEN_RE.findall(text):
        if _ARABIC_LETTER_RE.search(word):
            arabic_words += 1
        elif _LATIN_LETTER_RE.search(word):
            latin_words += 1
    lowered = _APOSTROPHES_RE.sub("'", text.lower())
    fr_score = 2.0 * len(_FRENCH_ACCENTS_RE.findall(lowered))
    fr_score += 2.0 * len(_FR_ELISION_RE.findall(lowered))
    words = [fold_latin(w) for w in _TOKEN_RE.findall(lowered)]
    fr_score += sum(1.0 for w in words if w in _FR_EVIDENCE)
    fr_score += sum(0.5 for w in words if len(w) > 4 and w.endswith(_FR_SUFFIXES))
    en_score = sum(1.0 for w in words if w in _EN_EVIDENCE)
    en_score += sum(0.5 for w in words if len(w) > 4 and w.endswith(_EN_SUFFIXES))
    return arabic_words, latin_words, fr_score, en_score


def detect_language(text: str) -> Lang:
    """Guess the language of a short question: Arabic script → ar; else French or English by
    accents, elisions and function words; English when there is no evidence."""
    arabic_words, latin_words, fr_score, en_score = _language_evidence(text)
    if arabic_words and arabic_words >= latin_words:
        return "ar"
    if fr_score > en_score:
        return "fr"
    if en_score == 0 and arabic_words:
        return "ar"
    return "en"


def clear_language(text: str) -> Lang | None:
    """The language of a question when there is no doubt about it, else None: mostly Arabic
    script, or French or English words well ahead of the other language's. A name, a
    number or Arabic written in Latin letters says nothing."""
    arabic_words, latin_words, fr_score, en_score = _language_evidence(text)
    if arabic_words:
        return "ar" if arabic_words >= latin_words else None
    for lang, score, other in (("fr", fr_score, en_score), ("en", en_score, fr_score)):
        if score >= CLEAR_LANGUAGE_MIN_EVIDENCE and score >= CLEAR_LANGUAGE_MIN_RATIO * other:
            return lang  # type: ignore[return-value]
    return None
