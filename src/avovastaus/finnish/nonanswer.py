"""Non-answers: texts that say nothing about the question, each with a reason code, by question type and wording.

:func:`detect_nonanswer` is a pure ``str -> reason | None`` function. A text is a non-answer when every
clause of it is one (so *"Sama kuin edellä, lisäksi tilavuokrat ovat liian korkeat."* is an answer).
A clause is a non-answer when it is a known phrase (typos tolerated), or when it starts like one of the
phrase families below and what follows holds only filler words — a clause that names a subject
(*"Kaikki hyvin paitsi tiedotus"*, *"Hyvin toimii uutiskirje"*) is an answer.

Registers. Before the rules run, every word is read in its standard written form (``data/nonanswer_fi.tsv``
and ``data/spoken_fi.tsv``): spoken and dialect forms (*en mä tiiä, emmie tiijä, ei tuu mieleen, en haluu
kertoo*), missing umlauts, doubled or dropped letters (*en tieda, mitäänn, vstata*). A subject pronoun next to
the negation (*en mä*, *mie en*), the 3rd person of a transcribed child (*ei osaa sanoa*, *sanoo ettei
tiedä*, *lapsi ei tiennyt*), discourse particles (*no, hmm, tota*) and an interviewer's note (*kohauttaa
olkapäitä*, *mietti pitkään*) do not change what a clause says.

Short negations (*"Ei."*, *"Ei ole."*, *"Ei oo"*, *"En."*) depend on the question: to a yes/no
statement (``question_type="yesno"``) they are a stance, hence an answer; to a question asking for a
description or suggestions (``"describe"``, the default) they say there is nothing to tell.

The question's wording (``question=``), when known, decides two more things:

* **echo** — an answer that only repeats the question or its sentence-completion stem
  (*"kiusaaminen on"* to *Mitä kiusaaminen on?*) says nothing;
* **nothing** — *"ei mitään", "ei mikään", "ei kukaan", "ei ole"* (and *"ei parannettavaa", "kaikki hyvin"*)
  answer a question that asks what exists, happens, is needed or makes one feel something (*Mikä tekee
  sinut iloiseksi?*, *Mitä tukea olette saaneet?*, *Mitä kehitettävää palvelussa on?*), but say nothing
  to one that asks to define or describe something or for further comments (*Mitä kiusaaminen on?*,
  *Kehitysyhteistyö on…*, *Mitä muuta haluatte sanoa?*). ``nothing_is_answer=`` forces either reading.

A question worded as a yes/no question (*Onko…?*, *Pitäisikö…?*) or as a statement to take a stand on is read
as ``question_type="yesno"``: *"Ei."*, *"Kyllä."* and restating the statement are stances there.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from dataclasses import dataclass
from typing import Literal

from avovastaus.finnish.lexicon import nonanswer_forms, nonanswer_vocabulary

QuestionType = Literal["describe", "yesno"]
#: every reason code, in the order reports list them
REASONS = (
    "empty", "punctuation", "placeholder", "dont_know", "no_comment", "see_above", "no_suggestions", "no_experience", "thanks",
    "echo",
)

#: reason code -> whole phrases (lower case, no punctuation); typos are tolerated in phrases of 8+ characters
PHRASES: dict[str, tuple[str, ...]] = {
    "dont_know": (
        "en osaa sanoa", "eos", "emt", "en osaa", "idk", "dont know", "don't know", "vet ej", "tiedä häntä",
        "mene ja tiedä", "kysy muilta", "ei hajua", "ei hajuakaan", "en tiedä", "en tiiä", "kuka tietää", "kukapa tietää",
        "ken tietää", "kuka sen tietää", "kukapa sen tietää", "hyvä kysymys", "no idea", "en tiedä en osaa",
    ),
    "no_comment": (
        "ei kommentteja", "ei kommenttia", "ei mitään", "ei muuta", "no comment", "no comments", "nada", "ohi", "pass",
        "ei vastausta", "ei ole", "ei mitään lisättävää", "skip", "ohitan", "ohitetaan", "ohitan tämän", "en kommentoi",
        "en vastaa", "en jaksa", "en viitsi", "en halua", "ei halua", "no thanks", "ihan sama", "sama se", "mitä väliä",
        "whatever", "who cares", "ei kiinnosta", "en välitä", "yksityisasia", "salaisuus", "henkilökohtainen asia",
        "olankohautus", "liikesalaisuus", "salaista", "salainen",
    ),
    "see_above": ("sama", "samat", "ditto", "kts edellinen vastaus", "katso edellinen vastaus", "sama kuin edellä"),
    "no_suggestions": ("kaikki hyvin", "kaikki ok", "hyvä näin", "ei kehitettävää", "ei parannettavaa"),
    "thanks": ("kiitos", "kiitos kyselystä", "kiitoksia", "kiitti"),
}
#: short negations: a stance to a yes/no statement, nothing to tell to a describe question
SHORT_NEGATIONS = frozenset({"ei", "ei ole", "ei oo", "en", "eipä", "ei ei", "ei kai", "ei oikeastaan", "eipä oikeastaan"})

#: words that may follow any non-answer phrase without making it an answer ("en osaa sanoa tähän nyt")
FILLER = frozenset(
    "tähän tässä nyt mitään enempää oikein tällä hetkellä hetkeen tätä asiaa asiaan aiheeseen aiheesta asiasta tästä "
    "kyllä valitettavasti sen kummemmin sitten juuri vielä muuta mielestäni minusta ainakaan oikeastaan ihan tosi kovin "
    "yhtään mitenkään tarkemmin varmaksi sinänsä siis no noh joo niin "
    # spoken and hedging fillers (after the words are read in their standard form)
    "oikeasti just heti rehellisesti sanottuna näin äkkiseltään äkkiä suoralta kädeltä noin vain ehkä kai varmaan "
    "tarkalleen tarkkaan tarkasti enää edes siitä tuosta tuohon siihen tuollaiseen tällaiseen sellaiseen sellaisesta "
    "vaiheessa yhteydessä nyt kylläkään kuitenkaan hmm xd d p sori sorry anteeksi harmi kiitos kiitoksia kiitti lol haha "
    "hehe kysymykseen kyselyyn eniten parhaiten lyhyesti yhdellä sanalla kyselyssä".split()
)
_META = re.compile(  # words about answering, for "en ole perehtynyt tähän niin hyvin että osaisin vastata"
    r"^(?:vasta[uta]|vastaa|sano|kommentoi|arvioi|osai|osaa|osan|perustel|kanta|mielipi|tietä|tiedä|tunne|tunte|perehty|"
    r"antaa|antama|ottaa|ottama|että|jotta|hyvin|riittäväst|tarpeeksi|kunnolla|järkevä|fiksu|oikean|oikeaa|asiantunte|"
    r"vaike|vaikea|hankala|aika)"
)
_REFERENCE = frozenset(
    "kuin ku kun jo edellä yllä ylempänä ylempää ylhäällä aiemmin aikaisemmin aiempi aiempaan aiemmassa aiemmat edellinen "
    "edelliseen edellisessä edellisestä edellisen edelliset ed vastaus vastaukseen vastaukseeni vastauksessa vastauksessani "
    "vastaukset vastauksen vastauksista vastauksiin kohta kohdassa kohtaan kohdan kohdat kysymys kysymyksessä kysymykseen "
    "kysymyksen kysymys totesin mainitsin sanoin kerroin kirjoitin vastasin mainittu todettu sanottu perustelut perustelu "
    "numero nro tuolla siellä sama samat mitä eli alla alempana "
    "äsken juttu asia homma tuossa tuonne ylös ylhäälle jo sanottu kerrottu mainittu olennainen kaikki olen on "
    "eka ekassa ekaan ekana ekaksi ensimmäinen ensimmäisessä ensimmäiseen ensimmäisen toinen toisessa toiseen toisen "
    "kolmas kolmannessa kolmanteen".split()
)
_POINTER = re.compile(r"^(?:\w+ )*(?:edellä|yllä|ylempänä|ylempää|ylhäällä|aiemmin|aikaisemmin|äsken|edelli\w*|aiemp\w*|ylemp\w*)\b")
_REFERENCE_STEM = re.compile(r"^(?:vastau|vastaus|kysymy|kohda|kohta|edelli|aiemp|aikaisemp|ylemp|perustelu|kommentti|kommentei)")
_THANKS_TAIL = frozenset(
    "paljon kovasti kyselystä kysymyksestä kysymyksistä mahdollisuudesta vastata vaikuttaa osallistua kun kysyitte kysytte "
    "kysyt kysytään ja hyvää kevättä kesää syksyä talvea joulua päivänjatkoa jatkoa viikonloppua hei moi terveisin tästä "
    "teille sinulle kaikille vaivannäöstä hyvä mukava kiva hieno kysely kyselyä kysymästä".split()
)
_NO_SUGGESTION_TAIL = frozenset("nykyiseen nykytilanteeseen tilanteeseen kaikkeen näin niin kaikin puolin".split())
#: what may follow "en tiedä / en muista / ei tule mieleen / en tunne": the topic, "nothing special"
_DONT_KNOW_TAIL = frozenset(
    "aihetta aihepiiriä termiä käsitettä sanaa asiaa sitä tätä tuota mieleen mitään mikään muuta erityistä erityisempää "
    "fiksua järkevää sopivaa hyvää kummempaa kummoista konkreettista tiettyä spesifiä mielenkiintoista uutta yksittäisiä "
    "tilanteita tapauksia esimerkkejä yksityiskohtia nimeä nimiä yksiselitteistä selkeää selvää täsmällistä suoraa "
    "varmaa vastausta sellaisesta tuollaisesta tällaisesta siitä tuosta tästä riittävästi hyvin kovin tarpeeksi "
    "kysymystä kysymyksen kysymyksiä koko sanasta termistä käsitteestä aiheesta ketään kukaan mikään".split()
)
_CONJUNCTIONS = frozenset("mutta koska vaikka paitsi joten kyllä silti".split())
_EXPERIENCE_TAIL_WORDS = 3  # "en ole käyttänyt näitä palveluja": the object of the missing experience

_ADVERB = r"(?:ihan |tosi |oikein |todella |erittäin |aivan |varsin |melko |täysin |hyvin )?"
#: adverbs between the negation and its verb ("en nyt oikein tiedä", "ei kyllä osaa sanoa")
_NEG_ADV = (r"(?:(?:nyt|oikein|kyllä|ihan|vielä|juuri|just|heti|oikeastaan|oikeasti|edes|enää|siis|tosiaan|varmaan|kai|"
            r"yhtään|tässä|tähän|sitten|kauheasti|hirveästi|valitettavasti|suoraan|todellakaan|koskaan|ikinä|itse|"
            r"tällä hetkellä|tarkalleen|tarkkaan|mitään|taida|taida oikein) )*")
_NEG = r"(?:en|ei|emme|e|eivät|ette)"
_ANSWER_VERB = (r"(?:vastata|vastaamaan|vastaa|kertoa|kertomaan|sanoa|sanomaan|kommentoida|kommentoimaan|puhua|puhumaan|"
                r"selittää|selittämään|paljastaa|paljastamaan|ottaa kantaa|ottamaan kantaa|eritellä|kirjoittaa|kirjoittamaan|"
                r"jakaa|arvioida|arvioimaan|kuvailla|kuvailemaan|avata|avaamaan|miettiä|miettimään|ajatella|pohtia|keksiä|osallistua|"
                r"osallistumaan|vastailla)")
#: (reason, clause head); the rest of the clause must be filler (see :func:`_tail_ok`)
FAMILIES: tuple[tuple[str, re.Pattern], ...] = tuple((reason, re.compile(f"(?:{pattern})(?= |$)")) for reason, pattern in (
    ("dont_know", r"^(?:en|e|emme|ei|mä en|minä en) (?:osaa|osa|osaisi|osaisin|osannut|pysty|pystyisi|voi|osaa nyt) "
                  r"(?:sanoa|sanoo|sanomaan|vastata|vastaamaan|arvioida|arvioimaan|kommentoida|kommentoimaan|ottaa kantaa|"
                  r"ottamaan kantaa|eritellä|kuvailla|kertoa|sanoa mitään)"),
    ("dont_know", r"^(?:en|e|emme|mä en|minä en) (?:tiedä|tieda|tiiä|tiä|tunne|muista|keksi mitään|ole varma|ole varmoja)"),
    ("dont_know", r"^(?:vaikea|vaikee|vaikeaa|vaikeeta|hankala|hankalaa|mahdoton|mahdotonta|en osaa) "
                  r"(?:sanoa|sanoo|arvioida|vastata|sanomaan|kommentoida|arvioimaan)"),
    ("dont_know", r"^(?:en|emme) ole (?:tarpeeksi |riittävästi |kovin |juurikaan |niin )?(?:perehtynyt|perehtyneet|perillä|"
                  r"tietoinen|tietoisia|selvillä|kartalla)"),
    ("dont_know", r"^ei (?:mitään )?(?:tietoa|aavistusta|aavistustakaan|mielipidettä|kantaa)"),
    # the same across registers: any negation, adverbs between, the 3rd person of a transcribed child, past forms
    ("dont_know", r"^" + _NEG + " " + _NEG_ADV + r"(?:osaa|osannut|osaisi|osaisin|osanneet|pysty|pystynyt|pystyisi|voi|voinut) "
                  + _NEG_ADV + r"(?:sanoa|sanomaan|vastata|vastaamaan|arvioida|arvioimaan|kommentoida|kommentoimaan|"
                  r"ottaa kantaa|ottamaan kantaa|eritellä|kuvailla|kuvailemaan|kertoa|kertomaan|selittää|selittämään|nimetä|"
                  r"nimeämään|muistaa|muistamaan|keksiä|keksimään|määritellä|sanoa mitään)"),
    ("dont_know", r"^" + _NEG + " " + _NEG_ADV + r"(?:tiedä|tiennyt|tienneet|tietäisi|tunne|tuntenut|muista|muistaa|muistanut|"
                  r"muistaneet|keksi|keksinyt|keksineet|ymmärrä|ymmärtänyt|ole varma|ole varmoja|ole ymmärtänyt)"),
    ("dont_know", r"^" + _NEG + r" (?:ole |ollut )?" + _NEG_ADV + r"(?:kuullut|kuullutkaan|kuulleet)"),
    ("dont_know", r"^(?:mitään |mikään )?" + _NEG + r" (?:minulla |meillä )?" + _NEG_ADV + r"(?:tule|tulee|tue|tuo|tullut) " + _NEG_ADV
                  + r"(?:mitään |mikään |muuta |mitään muuta )?(?:\w+ )?" + _NEG_ADV + r"mieleen"),
    ("dont_know", r"^(?:(?:tähän|siihen|tuohon|tätä|tuota|sitä) )?(?:on |olisi |oli )?" + _NEG_ADV
                  + r"(?:aika |tosi |todella |vähän |hieman |ihan |melko |erittäin )?"
                  r"(?:vaikea|vaikeaa|hankala|hankalaa|mahdoton|mahdotonta) " + _NEG_ADV
                  + r"(?:sanoa|sanomaan|arvioida|arvioimaan|vastata|kommentoida|antaa|ottaa kantaa|eritellä|nimetä|keksiä|"
                  r"muistaa|kuvailla|määritellä|selittää|kertoa|tietää)"),
    ("dont_know", r"^(?:ei|minulla ei|meillä ei) (?:ole |ollut )?(?:mitään |yhtään |minkäänlaista |pienintäkään |harmainta |"
                  r"riittävästi |tarpeeksi |tarkempaa |tarkkaa |juurikaan |kunnon )?"
                  r"(?:tietoa|aavistusta|aavistustakaan|mielipidettä|kantaa|hajua|hajuakaan|käsitystä|käsitystäkään|ideaa|"
                  r"tiedossa|tiedossani|tiedossamme)"),
    ("dont_know", r"^(?:tietoa|tieto|tietoja|tiedot) (?:ei|eivät) (?:ole |ollut )?(?:saatavilla|tiedossa|tiedossani|käytettävissä)"),
    ("dont_know", r"^(?:kysymys|aihe|asia|tämä) on (?:aivan |ihan |vähän |hieman )?(?:liian |niin )(?:laaja|epämääräinen|vaikea|"
                  r"monimutkainen|epäselvä|iso|yleinen)(?: vastattavaksi| vastata| kysymys| tähän| kyselyyn)?"),
    ("dont_know", r"^" + _NEG + r" ole (?:oikea|paras|sopiva|pätevä|oikeaa|oikeat) (?:henkilö|ihminen|taho|henkilöä|taho) "
                  + _ANSWER_VERB),
    ("dont_know", r"^(?:mistä|mitä) (?:minä |sen |me )?(?:tiedän|tietäisin|tietää|tietäisi|tiedämme)(?: sen| tuon| siitä)?$"),
    ("dont_know", r"^mitä(?:pä)? (?:tuohon|tähän|siihen|sitä) (?:nyt )?(?:pitäisi |voisi |osaisi )?(?:sanoa|sanoisi|sanoisin|sanomaan|"
                  r"vastata|vastaisi|vastaisin|kirjoittaa|kirjoittaisi|laittaa|laittaisi)$"),
    ("dont_know", r"^(?:aihe|asia|termi|käsite|sana|tämä|se|kysymys|aihepiiri) on (?:minulle |meille |ihan |aivan |täysin |niin )*"
                  r"(?:vieras|vieraampi|tuntematon|outo|epäselvä)"),
    ("dont_know", r"^(?:mitä|mikä|mitkä)(?: ihmeen)?(?: \w+){0,3}? (?:edes |oikein |ihmeen )?"
                  r"(?:on|ovat|tarkoittaa|tarkoitatte|tarkoitetaan|tarkoittavat|tarkoitat)$"),
    ("dont_know", r"^(?:mitä|mikä) (?:ihmeen )?(?:tarkoittaa|tarkoitetaan|tarkoitatte|tarkoitat)(?: \w+){0,3}$"),
    ("no_comment", r"^ei (?:minulla |meillä )?(?:ole |oo )?(?:mitään |muuta |sen |erityisesti )?(?:kommentt\w*|kommentoitavaa|lisättävää|sanottavaa|"
                   r"erityistä|kummempaa|kummemmin|enempää|sanomista|mainittavaa)"),
    ("no_comment", r"^ei (?:ole |oo )?" + _NEG_ADV + r"mitään"),
    ("no_comment", r"^ei (?:ole |oo )?" + _NEG_ADV + r"(?:mitään )?muuta"),
    ("no_comment", r"^(?:en|emme) (?:halua|jaksa|viitsi) (?:vastata|kommentoida|sanoa|ottaa kantaa|kertoa|vastata tähän)"),
    # refusals across registers
    ("no_comment", r"^" + _NEG + " " + _NEG_ADV + r"(?:halua|halunnut|haluaisi|haluaisin|viitsi|viitsinyt|jaksa|jaksanut|aio|"
                   r"aikonut|rupea|ruvennut|suostu|suostunut|tahdo|koe tarpeelliseksi|koe tarpeellisena|näe tarpeelliseksi|"
                   r"näe tarpeellisena|koe aiheelliseksi|voi|pysty) " + _NEG_ADV + _ANSWER_VERB),
    ("no_comment", r"^" + _NEG + " " + _NEG_ADV + r"(?:halua|halunnut|viitsi|viitsinyt|jaksa|jaksanut)$"),
    ("no_comment", r"^ei (?:minua |meitä )?" + _NEG_ADV + r"(?:kiinnosta|huvita)(?: " + _NEG_ADV + _ANSWER_VERB + ")?$"),
    ("no_comment", r"^(?:en|ei) (?:vastaa|vastannut|vastanneet)$"),
    ("no_comment", r"^(?:en|emme) (?:kerro|sano|vastaa|kommentoi|paljasta)"),
    ("dont_know", r"^" + _NEG + r" (?:koe|katso|usko|tiedä) (?:voivani|pystyväni|osaavani|voivamme|pystyvämme|osaavamme) "
                  + _NEG_ADV + _ANSWER_VERB),
    ("dont_know", r"^" + _NEG + r" (?:ole |ollut )?" + _NEG_ADV + r"(?:miettinyt|miettineet|ajatellut|ajatelleet|pohtinut|pohtineet|"
                  r"tullut ajatelleeksi|tullut mietittyä)"),
    ("dont_know", r"^(?:aihe|asia|termi|käsite|sana|tämä|se|aihepiiri|kysymys) (?:ei|eivät) (?:ole )?(?:minulle |meille )?"
                  r"(?:kovin |juurikaan |ihan |yhtään |niin |oikein )?(?:tuttu|tuttua|tuttuja|selvä|selvää|tiedossa|ymmärrettävä)"),
    ("no_comment", r"^(?:asiasta |tästä |siitä |tähän )?ei (?:voida|haluta|pystytä|voi) " + _ANSWER_VERB),
    ("no_comment", r"^(?:pidättäydyn|pidättäydymme|kieltäydyn|kieltäydymme|kieltäytyi|kieltäytyy|pidättäytyi)"
                   r"(?: vastaamasta| vastaamisesta| kommentoimasta| kertomasta)?"),
    ("no_comment", r"^(?:jätän|jätämme|jätin) (?:tämän |tän |sen |tuon |tähän )?(?:kysymyksen |kohdan |osion )?"
                   r"(?:vastaamatta|väliin|tyhjäksi|kommentoimatta)"),
    ("no_comment", r"^(?:ohitan|ohitamme|ohi|skip|skippaan|passaan|pass|passi)(?: tämän| kysymyksen| tästä| tämän kysymyksen)?$"),
    ("no_comment", r"^(?:se |asia |tämä |tuo |vastaus )?(?:ei|eikä) " + _NEG_ADV + r"(?:kuulu|kuulua) " + _NEG_ADV
                   + r"(?:sinulle|teille|kenellekään|muille|ulkopuolisille|\w+(?:lleni|llemme|iini|ihini))"),
    ("no_comment", r"^(?:se |asia |tämä |tuo )?(?:ei|eikä) (?:ole )?(?:sinun|teidän|kenenkään muun|muiden) "
                   r"(?:asia|asiasi|asianne|asioita|bisnestä)"),
    ("no_comment", r"^(?:(?:se|asia|asiat|tämä|tuo|vastaus|vastaukseni|tieto|tiedot|ne|nämä) )?(?:on|ovat) " + _ADVERB
                   + r"(?:luottamuksellinen|luottamuksellista|luottamuksellisia|yksityisasia|yksityisasioita|yksityinen|yksityisiä|"
                   r"henkilökohtainen|henkilökohtaista|henkilökohtaisia|salainen|salaista|salaisia|salaisuus|arkaluontoinen|"
                   r"arkaluonteinen|arkaluonteisia)"),
    ("see_above", r"^(?:(?:vastaus|vastaukseni|vastaus on|vastaukseni on) )?(?:sama|samat|samaa|samoin|kuten|katso|ks|kts|vrt|"
                  r"viittaan|viittaus|vastasin|vastattu)"),
    ("see_above", r"^(?:katsokaa|katsoa|katsokaa vaikka|kuin|niin kuin|sanoin|kerroin|mainitsin|kirjoitin|totesin|"
                  r"(?:olen|olemme) (?:jo )?(?:vastannut|sanonut|kertonut|maininnut|kirjoittanut|todennut|vastanneet))"),
    ("see_above", r"^(?:vastaus|vastaukseni|vastaus tähän|vastaukset) (?:löytyy|löytyvät)"),
    ("see_above", r"^(?:kaikki |kaiken |se |asia |kaikki olennainen |olennainen |kaikki tarpeellinen )?(?:on )?jo "
                  r"(?:sanottu|kerrottu|mainittu|todettu|vastattu|sanonut|kertonut|vastannut)"),
    ("no_suggestions", r"^ei (?:ole |oo )?(?:mitään |juuri |juurikaan |erityisiä |erityistä )?(?:kehitettävää|parannettavaa|korjattavaa|"
                       r"muutettavaa|muutostarpeita|muutostarvetta|toiveita|toivomuksia|ehdotuksia|kehitysehdotuksia|"
                       r"parannusehdotuksia|valittamista|valitettavaa|moitittavaa|huomautettavaa|huomauttamista|moittimista|"
                       r"kehittämistarpeita|kehittämisehdotuksia|kritiikkiä|huonoa sanottavaa|pahaa sanottavaa|tarvetta muutoksille)"),
    ("no_suggestions", r"^(?:kaikki|kaikki on|kaikki ovat|kaikki on ollut|kaikki ollut|asiat ovat|asiat on|homma on|homma) "
                       + _ADVERB + r"(?:hyvin|ok|okei|kunnossa|mallillaan|hyvää|loistavasti|erinomaisesti|kohdallaan|reilassa|jees)$"),
    ("no_suggestions", r"^kaikki (?:on |ovat )?(?:mennyt|toiminut|sujunut|toimii|menee|sujuu|pelaa|pelannut)(?: " + _ADVERB
                       + r"(?:hyvin|ok|mainiosti|loistavasti|moitteettomasti|kivasti|sujuvasti))?$"),
    ("no_suggestions", r"^(?:hyvin|hienosti|mainiosti|loistavasti|ok) (?:menee|toimii|on mennyt|on toiminut|sujuu|on sujunut|pelaa)$"),
    ("no_suggestions", r"^(?:hyvä|ok|hyvä on) (?:näin|niin)"),
    ("no_suggestions", r"^jatkakaa (?:samaan malliin|samaan tapaan|samalla tavalla|samaa rataa|samoin|hyvää työtä)"),
    ("no_suggestions", r"^(?:olen|olemme|ollaan|oon) (?:ollut |olleet )?" + _ADVERB + r"tyytyväi\w*"),
    ("no_suggestions", r"^ei (?:tarvitse|tarvi|tarvii) (?:muuttaa|kehittää|parantaa|korjata) (?:mitään|mitenkään)"),
    ("no_suggestions", r"^en keksi (?:mitään )?(?:kehitettävää|parannettavaa|muutettavaa)"),
    ("no_experience", r"^(?:minulla |meillä |mulla |itsellä |itselläni )?(?:ei|en|emme) (?:ole |oo )?(?:ollut |omaa |omakohtaista |"
                      r"henkilökohtaista |juurikaan |yhtään |mitään |riittävästi |tarpeeksi )*kokemu\w*"),
    ("no_experience", r"^(?:en|emme) ole (?:koskaan |vielä |juurikaan |itse |henkilökohtaisesti )*(?:ollut|olleet) "
                      r"(?:tekemisissä|mukana|yhteydessä|osallisena)"),
    ("no_experience", r"^(?:en|emme) ole (?:koskaan |vielä |juurikaan |itse )*(?:osallistunut|osallistuneet|käyttänyt|käyttäneet|"
                      r"kokeillut|asioinut|hakenut|tarvinnut)"),
    ("thanks", r"^(?:kiitos|kiitoksia|kiitokset|kiitti|thanks|thank you)"),
    ("thanks", r"^(?:hyvä|hieno|mukava|kiva|tärkeä) (?:kysely|kyselyä|aloite)$"),
))

#: "nothing" answers, whose reading depends on the question ("ei mitään", "ei mikään", "ei kukaan", "ei ole")
_NOTHING = re.compile(
    r"^(?:ei|en|emme|eipä)(?: (?:ole|oo|ollut|oikeastaan|oikein|kai|juuri|juurikaan|kyllä|nyt|ihan|yhtään|sitten|vielä|tällä hetkellä))*"
    r"(?: (?:mitään|mikään|kukaan|ketään|missään|mistään|mihinkään|kenellekään|keneenkään|kenestäkään|mikään muu|"
    r"minkäänlaista|minkäänlaisia|yhtään|ollenkaan|lainkaan|erityistä|mitään erityistä|mitään ihmeempää))?"
    r"(?: (?:tällä hetkellä|nyt|juuri nyt|oikeastaan|kai|varmaan|sitten|tässä|tähän|kyllä|ihan|ainakaan|erityisesti))*$"
)
#: a dont_know head whose object is an embedded question ("en tiedä mitä se on", "en osaa sanoa ketä")
_WH = frozenset(
    "mitä mikä mitkä kuka ketä keitä ketkä kenelle keneltä kenen kenet missä mistä mihin miten millainen millaista "
    "millaisia minkälainen minkälaista minkälaisia miksi milloin kumpi kuinka paljonko montako mitäs mikäs mitäpä".split()
)
#: embedded questions that ask the question's own "what" or "who" ("en tiedä mitä se on"); "milloin", "miksi",
#: "mistä hakea" add a statement of their own ("en muista milloin olisin ollut iloinen")
_GENERIC_WH = frozenset("mitä mikä mitkä kuka ketä keitä ketkä kenet".split())
_ANSWERING = frozenset("kirjoittaa laittaa vastata sanoa panna kirjoittaisi laittaisi vastaisi sanoisi kirjoitan laitan".split())
_CONDITIONAL = re.compile(r"\w{2,}(?:isi|isin|isit|isimme|isitte|isivat|isivät|is|isiin)$")
_MODALS = frozenset(
    "pitäisi pitää pitäis pitäs voisi vois voitaisiin saisi sais tulisi täytyy kannattaa kannattaisi kannattais "
    "pitäisikö voisiko".split()
)
_NEGATION_WORDS = frozenset("ei eikä en emme ette eivät ettei kukaan mikään".split())
_COPULA = frozenset("on ovat oli olivat olisi olla ole olen olet olemme olette olin olit oon oot olisin olisit olisimme olisitte "
                    "olisivat ois".split())
_PRONOUNS = frozenset(
    "minä minua minut minun minulla minulle minulta minussa minuun minusta sinä sinua sinut sinun sinulla sinulle sinulta "
    "sinussa sinuun sinusta me meitä meidät meidän meillä meille meiltä meissä meihin meistä te teitä teidät teidän teillä "
    "teille teiltä teissä teihin teistä hän häntä hänet hänen hänellä hänelle häneltä he heitä heidät heidän heillä heille "
    "se sitä sen sillä sille siltä siinä siihen siitä ne niitä niiden tämä tätä tämän tässä tähän tästä tuo tuota "
    "mä sä mua sua mun sun mulle sulle mulla sulla multa sulta itse itseä itselle sinut minut".split()
)
#: discourse particles and fillers typed to get past a required field: alone they say nothing
_PARTICLES = frozenset(
    "no noh nojoo hmm hm mm mmm öö ööh öh ää äää ee eh tota tuota niin nii joo jooh juu jaa jaaha ai aa häh täh hä "
    "jotain jotakin jotai xd kyllä jep jees yes ok okei lol höh hö njaa mjoo mjaa tjaa äh pöh jahas aijaa mitä moi hei heippa "
    "terve".split()
)
_YES = frozenset("kyllä joo jooh juu jep jees yes on okei".split())
#: particles that evaluate: "ok" answers "Miten yhteistyö toimii?" (and any question whose wording is unknown)
_EVALUATIVE = frozenset("ok okei jees".split())
#: an interviewer's note beside a child's answer ("kohauttaa olkapäitä", "mietti pitkään"); dropped beside a non-answer
_NOTE = re.compile(
    r"^(?:lapsi |hän |poika |tyttö )?(?:kohauttaa|kohautti|kohauttelee|hymyilee|hymyili|mietti|miettii|pohti|pohtii|pudistaa|"
    r"pudisti|naurahtaa|naurahti|nauraa|nauroi|vaikeni|vaikenee|on hiljaa|oli hiljaa|katsoo|katsoi|halusi mennä|haluaa mennä|"
    r"lähti|lähtee|vaihtoi aihetta|vaihtaa aihetta)(?: \w+){0,3}$"
)
#: a gesture noted instead of an answer ("kohauttaa olkapäitään"): a non-answer even alone
_GESTURE = re.compile(r"^(?:lapsi |hän |poika |tyttö )?(?:kohauttaa|kohautti|kohauttelee|pudistaa|pudisti|pudistelee|on hiljaa|"
                      r"oli hiljaa|vaikeni|vaikenee)(?: \w+){0,2}$")
_LEADING_PARTICLES = re.compile(r"^(?:(?:no|noh|hmm|hm|mm|mmm|öö|ööh|öh|ää|äää|eh|tota|tuota|niin|nii|joo|juu|jaa|ai|okei|siis) )+")
_SUBJECT = re.compile(  # a subject next to the negation: "mä en", "en mä", "lapsi ei", "yhdistyksemme ei"
    r"^(?:(?:minä|me|hän|se|lapsi|vastaaja|oppilas|poika|tyttö|(?:yhdisty|järjest|seura|yrity|yhteisö|organisaati|"
    r"ryhmä|tiimi)\w*mme) )?(en|ei|emme|ette|eivät|e)(?: (?:minä|me|hän))?(?= |$)"
)
_REPORTED = re.compile(r"^(?:(?:lapsi|hän|poika|tyttö) )?(?:sanoa|sanoi|kertoo|kertoa|kertoi|vastaa|vastasi|toteaa|totesi) että ")

_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_ABBREVIATION_DOT = re.compile(r"\b(ks|kts|vrt|esim|ed|nro|ns|mm|jne|yms|ym|n|ts)\.", re.IGNORECASE)
_EOS = re.compile(r"\be\s?\.?\s?o\s?\.?\s?s\b\.?", re.IGNORECASE)
_EMOTICON = re.compile(r"(?<!\w)[:;=8][-'^]?[dDpPoO()\[\]/\\|*3]+(?!\w)|(?<!\w)[xX][dD]+(?!\w)|<3")
_CLAUSE_SPLIT = re.compile(r"[,.;:!?\n]+|\s(?=(?:joten|koska|mutta|mut|vaikka|paitsi)\s)|\s(?=(?:kun|ku)\s(?:\w+\s)?(?:en|ei|emme)\s)")
_LEADING_CONJUNCTION = re.compile(r"^(?:joten|eli|ja|siis|niin|mutta|mut|koska|vaikka|paitsi) ")
_LATER_CONJUNCTION = re.compile(r"^(?:joten|eli|ja|siis|niin|mutta|mut|koska|vaikka|paitsi|kun|ku) ")
_KEYBOARD_ROWS = ("qwertyuiopå", "asdfghjklöä", "zxcvbnm")
_PLACEHOLDER_WORDS = frozenset("x xx xxx test testi testing asdf qwerty bla blaa blah lorem ipsum dolor null none nan na tyhjä".split())
_MAX_WORDS = 25
_FUZZY_WORDS = 10  # a clause this long or shorter has its spelling variants and typos read (longer: listed forms only)
_ECHO_WORDS = 12  # an answer longer than this is never a mere echo of the question
_FUZZY_REACH = 3  # a misspelt word is guessed up to this many words after a negation
_NEGATIONS = frozenset("en ei emme e ette eivät".split())


def _canonical(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


# ---------------------------------------------------------------- reading each word in its standard form

_FOLD = str.maketrans("äöå", "aoa")
_ELONGATED = re.compile(r"(.)\1{2,}")
_DOUBLED = re.compile(r"(.)\1+")
_CLITIC = re.compile(r"(?:kaan|kään|kaa|kää|kin|pa|pä|han|hän)$")
_SPOKEN_PARTICIPLE = re.compile(r"(?<=nn|ll|rr|ss|[aeiouyäö]n)[uy]$")  # halunnu -> halunnut, miettiny -> miettinyt


def _fold(word: str) -> str:
    return word.translate(_FOLD)


def _skeleton(word: str) -> str:
    """Return ``word`` without umlauts and doubled letters ("mitäänn", "mitaan" -> "mitan")."""
    return _DOUBLED.sub(r"\1", _fold(word))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _unambiguous(pairs) -> dict[str, str]:
    table: dict[str, str] = {}
    clash: set[str] = set()
    for key, value in pairs:
        if key in table and table[key] != value:
            clash.add(key)
        table.setdefault(key, value)
    return {k: v for k, v in table.items() if k not in clash}


@functools.lru_cache(maxsize=1)
def _protected() -> frozenset[str]:
    """Words that are themselves: the rules' own words and common function words, never read as another word."""
    words = set(FILLER) | _REFERENCE | _THANKS_TAIL | _DONT_KNOW_TAIL | _WH | _MODALS | _COPULA | _PRONOUNS | _PARTICLES
    words |= {w for phrases in PHRASES.values() for p in phrases for w in p.split()}
    words |= {w for _, head in FAMILIES for w in re.findall(r"(?<![\\?])\b[a-zäöå]{3,}\b(?!\\w)", head.pattern)}
    words |= set("ja tai kuin kun jos että mutta vaan vain myös ei en emme ette eivät se ne on ole hyvä hyvin huono huonosti "
                 "kaikki kaikkea kaikille muut muita muille paljon vähän liian enemmän lisää rahaa raha aikaa aika maa maat "
                 "sana sanat tie tiet osa osat halu tunne kunta kunnan kanssa missä mistä mihin mitä mikä".split())
    return frozenset(words)


@functools.lru_cache(maxsize=1)
def _word_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """Return the exact, folded, skeleton and dropped-letter tables: a word's form -> its standard form."""
    exact = dict(nonanswer_forms())
    for word in _protected():
        exact.setdefault(word, word)
    # missing umlauts: any known word with one ("mitaan", "ylla", "tieda")
    folded = _unambiguous((_fold(form), standard) for form, standard in exact.items() if len(form) >= 4 and _fold(form) != form)
    # doubled or dropped double letters ("sanoaa", "tiiedä", "mitäänn"): only onto the rules' standard words, not onto
    # spoken forms ("totta" is not "tota", "koska" is not "koskaa")
    targets = [word for word in nonanswer_vocabulary() | _protected() if len(word) >= 6 or word in nonanswer_vocabulary()]
    skeleton = _unambiguous((_skeleton(word), exact.get(word, word)) for word in targets if len(word) >= 5)
    # typo targets: the standard words the rules use (the one-column rows of nonanswer_fi.tsv, 5+ letters)
    vocabulary: dict[str, str] = {}  # skeleton -> the first standard word with it ("muista", "muistaa" -> "muista")
    for word in sorted(nonanswer_vocabulary()):
        if len(word) >= 5:
            vocabulary.setdefault(_skeleton(word), word)
    # a letter dropped ("tida", "muist", "vstata", "mitn"): the rules' words less one letter (with and without doubles)
    dropped = _unambiguous((d, word) for skel, word in vocabulary.items() for d in _deletes(skel) | _deletes(_fold(word)))
    return exact, folded, skeleton, dropped


def _lookup(word: str, folded_word: str, skeleton_word: str) -> str | None:
    exact, folded, skeleton, _ = _word_tables()
    found = exact.get(word)
    if found is None and len(word) >= 4:
        found = folded.get(folded_word) or (skeleton.get(skeleton_word) if len(word) >= 5 else None)
    return found


_GLUED_VERBS = frozenset(("tiedä", "osaa", "muista", "keksi", "halua", "jaksa", "viitsi"))


@functools.lru_cache(maxsize=65536)
def _standard_word(word: str, fuzzy: bool = True) -> str:
    """Return the standard form of one lower-case word (several words for fused forms: "emmä" -> "en minä")."""
    found = _word_tables()[0].get(word)
    if found is not None:
        return found
    word = _ELONGATED.sub(r"\1\1", word)  # "jooo", "eiii"
    folded_word = _fold(word)
    skel = _DOUBLED.sub(r"\1", folded_word)
    found = _lookup(word, folded_word, skel)
    if found is not None:
        return found
    if len(word) >= 4 and word[-1] == word[-2]:  # "tiiää", "mitää" typed long
        found = _lookup(word[:-1], folded_word[:-1], _skeleton(word[:-1]))
        if found is not None:
            return found
    clitic = _CLITIC.search(word)
    if clitic and clitic.start() >= 3:  # "kuullukkaan", "tiedäkään"
        bare = word[:clitic.start()]
        found = _lookup(bare, _fold(bare), _skeleton(bare))
        if found is not None:
            return found
    if len(word) >= 5 and _SPOKEN_PARTICIPLE.search(word):
        return _lookup(word + "t", folded_word + "t", skel + "t") or word + "t"  # spoken participles: "miettiny", "toiminu"
    if word[:2] in ("en", "ei") and len(word) >= 6:  # glued: "entiedä", "eiosaa"
        rest = word[2:]
        found = _lookup(rest, _fold(rest), _skeleton(rest))
        if found in _GLUED_VERBS:
            return f"{word[:2]} {found}"
    if fuzzy and len(word) >= 4 and word.isalpha():
        dropped = _word_tables()[3]
        # only a dropped letter, and not through collapsed doubles ("saanut" is not "osannut"); a changed letter is
        # not guessed: Finnish inflection changes letters ("tehnyt" is not "tiennyt", "mukaan" is not "mikään")
        found = dropped.get(folded_word) or (dropped.get(skel) if skel == folded_word else None)
        if found is not None:
            return found
    return word


@functools.lru_cache(maxsize=65536)
def _standard_clause(canon: str, typos: bool = True) -> str:
    """Return a clause's words in their standard form, with the subject, reported speech and particles taken off.

    ``typos``: guess misspelt words (a dropped letter) just after a negation.
    """
    words = canon.split()
    if len(words) > _FUZZY_WORDS:  # a long clause is read word for word only: it says something unless its words are known
        exact = _word_tables()[0]
        out = [exact.get(word, word) for word in words]
        words = []
    else:
        out = []
    short = typos and len(words) <= _FUZZY_WORDS
    since_negation = _FUZZY_REACH + 1
    for i, word in enumerate(words):
        if word == "em" and i + 1 < len(words) and _standard_word(words[i + 1], False) in ("minä", "me"):
            word = "en"  # "em mie ossaa" (n assimilated before m)
        # a misspelt word is guessed only just after a negation ("en tida", "ei tule mileen"), where the rules expect it
        standard = _standard_word(word, short and since_negation <= _FUZZY_REACH)
        out.append(standard)
        last = standard.rsplit(" ", 1)[-1]
        since_negation = 1 if last in _NEGATIONS else since_negation + 1
    clause = " ".join(out)
    if clause in _phrase_table():  # "no comment"
        return clause
    if out[0] in _PARTICLES:
        clause = _LEADING_PARTICLES.sub("", clause) or clause
    if " että " in clause:
        clause = _REPORTED.sub("", clause)
    if _NEGATIONS.intersection(clause.split()[:3]):
        clause = _SUBJECT.sub(r"\1", clause)
    return clause


# ---------------------------------------------------------------- the question


@dataclass(frozen=True)
class _Question:
    words: tuple[str, ...]  # standard forms, folded
    content: tuple[str, ...]  # the words an echo must repeat (not wh-words, copulas, pronouns, function words)
    stem: bool  # a sentence-completion stem ("Kehitysyhteistyö on…")
    kind: str  # "exist", "define", "evaluate", "suggest", "say": how "ei mitään" reads
    yesno: bool  # "Onko…?", "Pitäisikö…?"
    wh: str  # its question word (folded), "" for a stem
    last: str  # the last content word (the verb of "Miten yhteistyö toimii?")
    personal: bool  # asks the respondent in the 2nd person singular ("Mikä sinua pelottaa?", "Missä olet hyvä?")


_FUNCTION = frozenset("ja tai kuin kun jos että kanssa myös vielä sekä eli mutta niin nyt kolme kaksi yksi".split())
# matched against the question's words without umlauts
_SAY = re.compile(r"^(?:sano|kerto|kommentoi|kommentt|lisat|terveis|palaut|kuvail|kuvat|selit|maarittel|mainit|vapaa)")
_IMPERATIVE = re.compile(r"^(?:\w+(?:kaa|ka)|kerro|kuvaile|kuvaa|perustele|kirjoita|mainitse|nimea|listaa|anna|arvioi|vastaa|selita|"
                         r"ehdota|tayta|valitse)$")
_EVALUATE_WH = frozenset("miten kuinka millainen minkalainen millaisena millaiseksi".split())
_LOCATIVE_WH = frozenset("missä mistä mihin kenelle keneltä kenen milloin miksi".split())
_LOCATIVE = re.compile(r"(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|lle)$")
_SECOND_PERSON = frozenset(_fold(w) for w in "sinä sinua sinut sinulle sinun sinusta sinulla sinuun olet sä sua sut sulle sun".split())
#: a child transcribed in the 3rd person who does not say ("Ei kerro."): only where the question asks the child
_NOT_TELLING = re.compile(r"^(?:ei|eikä) (?:kerro|kertonut|sano|sanonut|vastaa|puhu|puhunut|sano mitään|kerro mitään|puhu mitään)$")
_SUGGEST = re.compile(r"^(?:ehdot|toive|toivei|toivomu|parannusehdot|kehitysehdot|kehitysidea|idea|kehittamisehdot)")
_PARTICIPLE = re.compile(r"(?:nut|nyt|neet|ttu|tty|isi|isit|isitte|isimme|isin)$")


@functools.lru_cache(maxsize=4096)
def _question(question: str) -> _Question:
    stripped = question.strip()
    words = tuple(_fold(_standard_word(w, False)) for w in _canonical(stripped).split())
    words = tuple(w for word in words for w in word.split())
    folded_wh, folded_copula = {_fold(w) for w in _WH}, {_fold(w) for w in _COPULA}
    folded_pronouns, folded_function = {_fold(w) for w in _PRONOUNS}, {_fold(w) for w in _FUNCTION}
    content = tuple(w for w in words if w not in folded_wh and w not in folded_copula and w not in folded_pronouns
                    and w not in folded_function)
    wh = words[0] if words and words[0] in folded_wh else None
    stem = stripped.endswith(("…", "...", ".."))
    # a yes/no question ("Onko…?", "Pitäisikö…?") or a statement to take a stand on ("Suomeen tarvitaan lisää poliiseja")
    first = _canonical(stripped).split()[0] if words else ""
    yesno = bool(words) and wh is None and not stem and (
        bool(re.search(r"(?:ko|kö|kos|kös)$", first))
        or ("?" not in stripped and not _IMPERATIVE.match(_fold(first)) and not any(_SAY.match(w) for w in words)))
    others = [w for w in words[1 if wh else 0:] if w not in folded_pronouns and w not in folded_function]
    if any(_SAY.match(w) for w in words) or (words[:2] == ("mita", "muuta")):
        kind = "say"
    elif wh is not None and any(w in _FOLDED_MODALS or _SUGGEST.match(w) for w in words):
        kind = "suggest"  # "Miten yhteistyötä pitäisi kehittää?": "kaikki hyvin" gives no suggestion
    elif wh in _EVALUATE_WH:
        kind = "evaluate"
    elif wh in {_fold(w) for w in _LOCATIVE_WH} or any(_LOCATIVE.search(w) and len(w) >= 5 for w in others if w not in folded_wh):
        kind = "exist"
    elif any(w in ("on", "ovat", "oli", "olivat") for w in words) and not any(_PARTICIPLE.search(w) for w in others):
        kind = "define"
    else:
        kind = "exist"
    personal = any(w in _SECOND_PERSON for w in words)
    return _Question(words, content, stem, kind, yesno, wh or "", content[-1] if content else "", personal)


def _same_word(a: str, b: str) -> bool:
    """Return whether answer word ``a`` repeats question word ``b`` (both folded): an inflection or a typo of it."""
    if a == b:
        return True
    prefix = _common_prefix(a, b)
    shorter = min(len(a), len(b))
    return prefix >= 5 and prefix >= 0.6 * shorter or (shorter >= 4 and prefix >= shorter - 1 and abs(len(a) - len(b)) <= 2)


def _echoes(word: str, question: _Question) -> bool:
    """Return whether ``word`` repeats one of the question's own words."""
    folded = _fold(word)
    return len(folded) >= 4 and any(_same_word(folded, q) for q in question.content)


def _same_form(a: str, b: str) -> bool:
    """Return whether ``a`` is ``b`` itself or a typo of it (not another inflection: "suomea" is not "suomen")."""
    prefix = _common_prefix(a, b)
    return a == b or (abs(len(a) - len(b)) <= 1 and prefix >= max(len(a), len(b)) - 2 and min(len(a), len(b)) >= 8)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _is_echo(words: list[str], question: _Question) -> bool:
    """Return whether ``words`` (standard forms) only repeat the question or its stem."""
    if not words or not question.content or question.yesno:
        return False  # restating a statement ("Lapsilisiä on korotettava.") takes a stand
    matched: set[int] = set()
    has_wh = inflected = False
    for part in (part for word in words for part in word.split("-") if part):  # "kehitys-mikä?"
        word = _fold(part)
        if word in _FOLDED_WH:
            has_wh = True
            continue
        if word in _FOLDED_SKIP or word in question.words and word not in question.content:
            continue
        hit = next((i for i, q in enumerate(question.content) if _same_word(word, q)), None)
        if hit is None:
            return False
        matched.add(hit)
        inflected = inflected or not _same_form(word, question.content[hit])
    if not matched:
        return False
    if question.stem and question.kind != "define" and len(matched) == 1 and inflected:
        return False  # "Suomea" to "Suomen pitäisi auttaa…" fills the slot: only "auttaa" itself is an echo
    if question.stem or has_wh:
        return True
    if question.kind == "evaluate" and any(_same_word(_fold(w), question.last) for w in words):
        return False  # "yhteistyö toimii" to "Miten yhteistyö toimii?": the verb repeated is a stance
    return len(matched) >= 2 or len(matched) == len(set(question.content))


_FOLDED_WH = frozenset(_fold(w) for w in _WH)
_FOLDED_MODALS = frozenset(_fold(w) for w in _MODALS | {"voisivat", "voisitte", "voisimme", "pitäisikö", "tulisi", "tulisiko"})
_FOLDED_SKIP = frozenset(_fold(w) for w in _COPULA | _PRONOUNS | _PARTICLES | {"no", "niin", "siis", "että"})


# ---------------------------------------------------------------- clauses


@functools.lru_cache(maxsize=1)
def _phrase_table() -> dict[str, str]:
    return {phrase: reason for reason, phrases in PHRASES.items() for phrase in phrases}


@functools.lru_cache(maxsize=1)
def _longest_phrase() -> int:
    return max(len(p.split()) for p in _phrase_table())


@functools.lru_cache(maxsize=1)
def _any_family() -> re.Pattern:
    return re.compile("|".join(f"(?:{head.pattern})" for _, head in FAMILIES))


@functools.lru_cache(maxsize=1)
def _fuzzy_phrases() -> list[str]:
    """Phrases long enough for typo-tolerant matching ("eos" must match exactly)."""
    return sorted(p for p in _phrase_table() if len(p) >= 8)


@functools.lru_cache(maxsize=1)
def _longest_fuzzy() -> int:
    return max(map(len, _fuzzy_phrases()), default=0)


def _keyboard_mash(word: str) -> bool:
    """Return whether ``word`` is typed along one keyboard row (asdf, qwerty, jhgjh)."""
    for row in _KEYBOARD_ROWS:
        if len(word) >= 3 and all(c in row for c in word):
            positions = [row.index(c) for c in word]
            if all(abs(a - b) <= 2 for a, b in zip(positions, positions[1:])):
                return True
    return False


def _is_placeholder(canon: str) -> bool:
    words = canon.split()
    if not words:
        return False
    if all(w in _PLACEHOLDER_WORDS for w in words):
        return True
    if len(words) == 1:
        w = words[0]
        return len(w) == 1 or bool(re.fullmatch(r"(.)\1+", w)) or _keyboard_mash(w) or (w.isalpha() and len(w) >= 3 and not re.search(r"[aeiouyäöå]", w))
    return False


def _reference_only(words: list[str]) -> bool:
    return all(w in _REFERENCE or _REFERENCE_STEM.match(w) or w.isdigit() or w in FILLER for w in words)


def _tail_ok(reason: str, tail: list[str], question: _Question | None = None, we: bool = False) -> bool:
    """Return whether the words after a phrase head keep the clause a non-answer of ``reason``."""
    if reason == "see_above":
        return _reference_only(tail)
    if reason == "thanks":
        return all(w in _THANKS_TAIL or w in FILLER for w in tail)
    if reason == "no_experience":
        return len([w for w in tail if w not in FILLER]) <= _EXPERIENCE_TAIL_WORDS and not _CONJUNCTIONS & set(tail)
    if reason == "no_suggestions":
        return all(w in FILLER or w in _NO_SUGGESTION_TAIL for w in tail)
    if all(w in FILLER or _META.match(w) or w in _DONT_KNOW_TAIL or w in _PRONOUNS or _REFERENCE_STEM.match(w)
           or (reason == "dont_know" and question is not None and _echoes(w, question)) for w in tail):
        return True  # "en osaa sanoa tähän nyt", "ei lisättävää edelliseen", "en tiedä mitään kehitysyhteistyöstä"
    # "emme tiedä kuka vastaa mistäkin": an organisation that does not know whom to ask states a problem
    if reason == "dont_know" and tail and not we and (tail[0] in _GENERIC_WH or question is not None and _fold(tail[0]) == question.wh):
        return _wh_tail_ok(tail[1:], question)
    return False


def _wh_tail_ok(rest: list[str], question: _Question | None) -> bool:
    """"en tiedä mitä se on", "en osaa sanoa ketä": an embedded question about the topic, not a stated problem.

    A modal ("en tiedä kenelle pitäisi soittaa") or a negation ("en tiedä miksi kukaan ei vastaa") makes it a
    statement; so do more than two words of its own, or a conditional of its own.
    """
    if _NEGATION_WORDS & set(rest):
        return False
    if _MODALS & set(rest):  # "en tiedä mitä tähän pitäisi kirjoittaa" is about answering; "kenelle pitäisi soittaa" is not
        return all(w in FILLER or w in _MODALS or w in _PRONOUNS or w in _ANSWERING or _META.match(w) for w in rest)
    own = [w for w in rest if not (w in FILLER or w in _COPULA or w in _PRONOUNS or w in _WH or _META.match(w)
                                   or w in ("tarkoittaa", "tarkoitatte", "tarkoitetaan", "tarkoitat", "kysytään", "kysytte")
                                   or (question is not None and any(_same_word(_fold(w), q) for q in question.content)))]
    # a conditional of its own states something ("en tiedä mitä tekisin ilman kavereita")
    return len(own) <= 2 and not any(_CONDITIONAL.search(w) for w in own)


@functools.lru_cache(maxsize=65536)
def _clause_reason(canon: str, question_type: QuestionType, fuzzy: float, question: _Question | None = None) -> str | None:
    """Return the reason code of one clause, "answer" for a yes/no stance, "nothing" for a bare "ei mitään", or None."""
    yesno = question_type == "yesno" or (question is not None and question.yesno)
    if canon in SHORT_NEGATIONS:
        return "answer" if yesno else "nothing"
    words = canon.split()
    if words and all(w in _PARTICLES for w in words):
        if yesno and _YES & set(words):
            return "answer"
        if _EVALUATIVE & set(words) and (question is None or question.kind == "evaluate"):
            return "answer"
        return "placeholder"
    reason = _phrase_reason(canon, fuzzy, question)
    if reason is None and _POINTER.match(canon) and _reference_only(words):  # "ylempänä", "edellinen vastaus"
        return "see_above"
    if reason is None and _GESTURE.match(canon):
        return "dont_know"
    if reason is None and question is not None and question.personal and _NOT_TELLING.match(canon):
        return "no_comment"
    if (reason == "no_comment" or reason is None and words[0] in ("ei", "eipä")) and _NOTHING.match(canon):
        return "nothing"  # "ei mitään", "ei mikään kai", "ei kukaan", "ei ole": read with the question
    return reason


def _phrase_reason(canon: str, fuzzy: float, question: _Question | None, split: bool = False) -> str | None:
    table = _phrase_table()
    if canon in table:
        return table[canon]
    words = canon.split()
    for end in range(min(len(words) - 1, _longest_phrase()), 0, -1):  # "idk lol", "emt ihan sama": a phrase, then more
        head = " ".join(words[:end])
        if head in table:
            if head in _OBJECT_PHRASES or _NOTHING.match(head):
                break  # "en osaa mitään", "en halua mitään", "ei ole sama" say something
            rest = words[end:]
            if all(w in FILLER for w in rest) or (
                    not split and _phrase_reason(" ".join(rest), fuzzy, question, True) in ("dont_know", "no_comment")):
                return table[head]
            break
    if _any_family().match(canon):  # one test rules out every family for most clauses that say something
        for reason, head in FAMILIES:
            match = head.match(canon)
            if match and _tail_ok(reason, canon[match.end():].split(), question, canon.startswith("emme ")):
                return reason
    # difflib's ratio is at most 2·min(len)/(sum of lens): a clause this much longer than every phrase cannot reach ``fuzzy``
    if 8 <= len(canon) <= _longest_fuzzy() * (2 - fuzzy) / max(fuzzy, 1e-9):
        close = difflib.get_close_matches(canon, _fuzzy_phrases(), n=1, cutoff=fuzzy)
        if close:
            return table[close[0]]
    return None


#: phrases whose verb takes an object: "en osaa mitään" (I am good at nothing) is an answer
_OBJECT_PHRASES = frozenset(("en osaa", "en halua", "ei halua", "en jaksa", "en viitsi", "en vastaa", "en kommentoi"))


def _droppable(clause: str) -> bool:
    """Return whether a clause only talks about answering, hedges or notes a gesture ("kohauttaa olkapäitä")."""
    words = clause.split()
    return all(w in FILLER or _META.match(w) or w in _PARTICLES for w in words) or bool(_NOTE.match(clause))


_DONT_KNOW_HEAD = re.compile(r"^(?:en|ei|emme) (?:" + _NEG_ADV + r")(?:tiedä|tiennyt|muista|ymmärrä|tunne|(?:osaa|osannut|pysty|voi) "
                             r"(?:sanoa|sanomaan|kertoa|kertomaan|arvioida|arvioimaan))$")


def _nothing_reads(question: _Question | None, nothing_is_answer: bool | None) -> tuple[bool, bool]:
    """Return (a bare "ei mitään" answers, "ei parannettavaa / kaikki hyvin" answers) for this question."""
    if nothing_is_answer is not None:
        return nothing_is_answer, nothing_is_answer
    if question is None:
        return False, False
    return question.kind == "exist", question.kind in ("exist", "evaluate")  # "say", "define", "suggest": neither


def detect_nonanswer(
    text: str | None, fuzzy: float = 0.86, question_type: QuestionType = "describe", *,
    question: str | None = None, nothing_is_answer: bool | None = None,
) -> str | None:
    """Return the reason code why ``text`` is not a real answer, or None when it is one.

    Codes: ``empty``, ``punctuation`` (only punctuation or symbols), ``placeholder`` ("xx", "asdf", ".", "joo",
    "hmm"), ``dont_know`` ("en osaa sanoa", "eos", "en mä tiiä", "ei tule mieleen", "en tiedä mitä X on"),
    ``no_comment`` ("ei kommentteja", refusals such as "en halua vastata", "ei kuulu sulle", "jätän väliin",
    and short negations or "ei mitään" where they say nothing), ``see_above`` ("sama kuin edellä", "katso
    vastaus 1"), ``no_suggestions`` ("ei kehitettävää", "kaikki hyvin"), ``no_experience`` ("ei kokemusta"),
    ``thanks`` ("kiitos kyselystä"), ``echo`` (only repeats the question; needs ``question``).

    ``question_type`` is ``"describe"`` or ``"yesno"`` (see the module docstring); ``fuzzy`` is the difflib
    similarity for typo-tolerant phrases (1.0 turns it off, and with it the guessing of misspelt words).
    ``question`` is the question's wording, when known (keyword only; a yes/no or statement wording counts as
    ``"yesno"``):
    it turns on echo detection and decides whether "ei mitään / ei mikään / ei kukaan / ei ole" answer it
    (a question about what exists, happens, is needed or is felt) or not (one asking to define or describe
    something, or for further comments). ``nothing_is_answer`` forces that reading (None: from the wording;
    without a question such answers are non-answers, as before).
    """
    if text is None or not str(text).strip():
        return "empty"
    text = str(text).strip()
    if text == ".":
        return "placeholder"  # typed to get past a required field
    if _PUNCT_ONLY_RE.match(text):
        return "punctuation"
    if next(itertools.islice(_WORD_RE.finditer(text), 3 * _MAX_WORDS, None), None) is not None:
        return None  # far too long to be a non-answer (even if every "e o s" became one word): the common case, decided cheaply
    text = _ABBREVIATION_DOT.sub(r"\1", _EOS.sub("eos", text))
    canon = _canonical(text)
    if len(canon.split()) > _MAX_WORDS:
        return None
    if _is_placeholder(canon):
        return "placeholder"
    q = _question(question) if question and question.strip() else None
    plain = _EMOTICON.sub(" ", text)
    if _WORD_RE.search(plain) is None:
        return "placeholder"  # only an emoticon (":D", "xD")
    clauses = [c for c in (_canonical(part) for part in _CLAUSE_SPLIT.split(plain)) if c]
    # a leading "kun" starts an answer ("kun ei saa olla mukana"); after a first clause it gives a reason
    clauses = [_LEADING_CONJUNCTION.sub("", c) if i == 0 else _LATER_CONJUNCTION.sub("", c) for i, c in enumerate(clauses)]
    clauses = [c for c in clauses if c]
    typos = fuzzy < 1.0
    if q is not None and not q.yesno and len(canon.split()) <= _ECHO_WORDS and _is_echo(
            " ".join(_standard_clause(c, typos) for c in clauses).split(), q):
        return "echo"
    nothing_answers, satisfied_answers = _nothing_reads(q, nothing_is_answer)

    def decide(clause: str) -> str | None:
        reason = _clause_reason(clause, question_type, fuzzy, q)
        if reason == "nothing":
            return None if nothing_answers else "no_comment"
        if reason == "answer" or (reason == "no_suggestions" and satisfied_answers):
            return None
        return reason

    # the first clause that says something decides: the rest need no (typo-tolerant, costly) reading and matching
    reasons, dropped, i = [], [], 0
    while i < len(clauses):
        clause = _standard_clause(clauses[i], typos)
        i += 1
        while i < len(clauses) and _DONT_KNOW_HEAD.match(clause):  # "En tiedä, mitä on kehitysyhteistyö": one clause
            following = _standard_clause(clauses[i], typos)
            if not following or following.split()[0] not in _WH:
                break
            clause, i = f"{clause} {following}", i + 1
        if not clause:
            continue
        if _droppable(clause):  # "..., että osaisin vastata": talk about answering adds nothing beside a non-answer
            dropped.append(clause)
            continue
        reason = decide(clause)
        if reason is None:
            return None
        reasons.append(reason)
    if not reasons:
        for clause in dropped:
            reason = decide(clause)
            if reason is None:
                return None
            reasons.append(reason)
    if not reasons:
        return "placeholder"
    return next((r for r in reasons if r != "thanks"), "thanks")  # a non-answer with thanks added is that non-answer
