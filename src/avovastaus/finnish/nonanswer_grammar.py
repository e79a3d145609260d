"""The grammar of non-answers: clause heads by reason code, built from word classes.

Most non-answers are a negation, a verb of knowing, being able, wanting or remembering, an optional verb of saying
and an optional object: *en tiedä*, *ei osaa sanoa*, *emme halua kommentoida asiaa*, *ei tule mitään mieleen*. The
patterns below read a clause in its standard written form (``nonanswer_forms``): spoken, dialect and misspelt words
are read as standard ones first, and the negation may be 1st person (*en*, *emme*), 3rd person (*ei*, the
transcribed child) or passive (*ei tiedetä*, *ei osata sanoa*). Adverbs may stand between the words (``NEG_ADV``);
what follows the head must be filler (``nonanswer_clauses.tail_ok``), so *en tiedä, ehkä raha* says something.
``nonanswer_forms.core_clause`` also reads a clause without its loose words (*en mä kyl oikeen tiiä* -> *en tiedä*).
"""

from __future__ import annotations

import functools
import re

from avovastaus.finnish.nonanswer_words import ADVERB, ANSWER_VERB, NEG, NEG_ADV

# ---------------------------------------------------------------- word classes (regular expressions, standard forms)

#: knowing, remembering, thinking of, understanding (any person, passive, past)
KNOW = (r"(?:tiedä|tieda|tiiä|tiä|tiennyt|tienneet|tietäisi|tiedetä|tunne|tuntenut|tunneta|muista|muistaa|muistanut|"
        r"muistaneet|muisteta|keksi|keksinyt|keksineet|keksitä|ymmärrä|ymmärtänyt|ymmärretä|ole varma|ole varmoja|"
        r"ole ymmärtänyt)")
#: being able to
CAN = r"(?:osaa|osa|osannut|osaisi|osaisin|osanneet|osata|pysty|pystynyt|pystyisi|pystytä|voi|voinut|voida)"
#: what one cannot do: say, answer, assess, name, recall, rank
SAY = (r"(?:sanoa|sanoo|sanomaan|vastata|vastaamaan|arvioida|arvioimaan|kommentoida|kommentoimaan|ottaa kantaa|ottamaan kantaa|"
       r"eritellä|kuvailla|kuvailemaan|kertoa|kertomaan|selittää|selittämään|nimetä|nimeämään|muistaa|muistamaan|keksiä|"
       r"keksimään|määritellä|muodostaa|muodostamaan|valita|valitsemaan|priorisoida|asettaa|asettamaan|luetella|listata|"
       r"järjestää|sanoa mitään)")
#: not wanting, not bothering, not seeing the need (refusals)
WANT = (r"(?:halua|halunnut|haluaisi|haluaisin|haluta|viitsi|viitsinyt|viitsitä|jaksa|jaksanut|jakseta|aio|aikonut|rupea|"
        r"ruvennut|suostu|suostunut|tahdo|(?:koe|näe|katso) (?:tarpeelliseksi|tarpeellisena|aiheelliseksi|aiheellisena)|voi|pysty)")
#: coming to mind
MIND = r"(?:tule|tulee|tue|tuo|tullut|muistu|muistunut|juolahda|juolahtanut|pälkähdä|pälkähtänyt)"
#: hard, impossible (to say)
HARD = r"(?:vaikea|vaikeaa|hankala|hankalaa|mahdoton|mahdotonta|paha)"
#: the things one has none of: knowledge, an opinion, an idea
KNOWLEDGE = (r"(?:tietoa|aavistusta|aavistustakaan|mielipidettä|kantaa|hajua|hajuakaan|käsitystä|käsitystäkään|ideaa|tiedossa|"
             r"tiedossani|tiedossamme)")
#: what one has nothing of to add
TO_SAY = (r"(?:kommentt\w*|kommentoitavaa|lisättävää|sanottavaa|vastattavaa|kerrottavaa|erityistä|kummempaa|kummemmin|enempää|"
          r"sanomista|mainittavaa)")

#: (reason, clause head); the rest of the clause must be filler (see ``nonanswer_clauses.tail_ok``); the first that fits wins
FAMILIES: tuple[tuple[str, re.Pattern], ...] = tuple((reason, re.compile(f"(?:{pattern})(?= |$)")) for reason, pattern in (
    # ---- does not know, cannot say, does not remember
    ("dont_know", r"^(?:en|e|emme|ei|mä en|minä en) (?:osaa|osa|osaisi|osaisin|osannut|pysty|pystyisi|voi|osaa nyt) " + SAY),
    ("dont_know", r"^(?:en|e|emme|mä en|minä en) (?:tiedä|tieda|tiiä|tiä|tunne|muista|keksi mitään|ole varma|ole varmoja)"),
    ("dont_know", r"^(?:vaikea|vaikee|vaikeaa|vaikeeta|hankala|hankalaa|mahdoton|mahdotonta|en osaa) "
                  r"(?:sanoa|sanoo|arvioida|vastata|sanomaan|kommentoida|arvioimaan)"),
    ("dont_know", r"^(?:en|emme) ole (?:tarpeeksi |riittävästi |kovin |juurikaan |niin )?(?:perehtynyt|perehtyneet|perillä|"
                  r"tietoinen|tietoisia|selvillä|kartalla)"),
    ("dont_know", r"^ei (?:mitään )?(?:tietoa|aavistusta|aavistustakaan|mielipidettä|kantaa)"),
    ("dont_know", r"^" + NEG + " " + NEG_ADV + CAN + " " + NEG_ADV + SAY),  # "en mä nyt osaa sanoo", "ei osata sanoa"
    ("dont_know", r"^(?:mitään |yhtään )?" + NEG + " " + NEG_ADV + KNOW),  # "ei tiedä", "emme muista", "mitään en keksi"
    ("dont_know", r"^" + NEG + r" (?:ole |ollut )?" + NEG_ADV + r"(?:kuullut|kuullutkaan|kuulleet)"),
    ("dont_know", r"^(?:mitään |mikään )?" + NEG + r" (?:minulla |meillä )?" + NEG_ADV + MIND + " " + NEG_ADV
                  + r"(?:mitään |mikään |muuta |mitään muuta )?(?:\w+ )?" + NEG_ADV + r"mieleen"),
    ("dont_know", r"^(?:(?:tähän|siihen|tuohon|tätä|tuota|sitä) )?(?:on |olisi |oli )?" + NEG_ADV
                  + r"(?:aika |tosi |todella |vähän |hieman |ihan |melko |erittäin )?" + HARD + " " + NEG_ADV
                  + r"(?:sanoa|sanomaan|arvioida|arvioimaan|vastata|kommentoida|antaa|ottaa kantaa|eritellä|nimetä|keksiä|"
                  r"muistaa|kuvailla|määritellä|selittää|kertoa|tietää)"),
    ("dont_know", r"^(?:(?:minulla|meillä|vastaajalla|yhdistyksellä|yhdistyksellämme|järjestöllämme|itselläni) )?ei (?:ole |ollut )?"
                  r"(?:mitään |yhtään |minkäänlaista |pienintäkään |harmainta |riittävästi |tarpeeksi |tarkempaa |tarkkaa |"
                  r"juurikaan |kunnon |riittävää |tarpeellista |kattavaa |varmaa |selvää )?" + KNOWLEDGE),
    ("dont_know", r"^(?:tietoa|tieto|tietoja|tiedot) (?:ei|eivät) (?:ole |ollut )?(?:vastaajan |minun |meidän )?"
                  r"(?:saatavilla|tiedossa|tiedossani|käytettävissä)"),
    ("dont_know", r"^" + NEG + r" (?:ole|koe olevani|koe olevamme|katso olevani|katso olevamme) "
                  r"(?:oikea|paras|sopiva|pätevä|oikeaa|oikeat) (?:henkilö|ihminen|taho|henkilöä|taho) " + ANSWER_VERB),
    ("dont_know", r"^" + NEG + r" (?:osaa|osannut|osaisi|osaisin|osanneet|osata|pysty|pystynyt|pystytä)$"),  # "en mä kyl osaa"
    # ---- the question or its topic is unclear
    ("dont_know", r"^(?:kysymys|aihe|asia|tämä) on (?:aivan |ihan |vähän |hieman )?(?:liian |niin )(?:laaja|epämääräinen|vaikea|"
                  r"monimutkainen|epäselvä|iso|yleinen|yleisellä tasolla|abstrakti|epätarkka)"
                  r"(?: vastattavaksi| vastata| kysymys| tähän| kyselyyn)?"),
    ("dont_know", r"^(?:kysymys|kysymykset|kysymyksen (?:tarkoitus|idea|muotoilu|pointti)|kysymyksenasettelu|tarkoitus|tämä) "
                  r"(?:on|oli|jäi|jää|ovat|olivat) (?:minulle |meille |hieman |vähän |aivan |täysin |niin |liian |todella |aika |hyvin )*"
                  r"(?:epäselvä|epäselväksi|epäselviä|vaikeasti ymmärrettävä|vaikeaselkoinen|hämärä|hämäräksi|sekava|outo|"
                  r"käsittämätön|vaikea ymmärtää|mahdoton ymmärtää|huonosti muotoiltu|monitulkintainen|vaikea|hankala)"),
    ("dont_know", r"^(?:aihe|asia|termi|käsite|sana|tämä|se|kysymys|aihepiiri) on (?:minulle |meille |ihan |aivan |täysin |niin )*"
                  r"(?:vieras|vieraampi|tuntematon|outo|epäselvä)"),
    ("dont_know", r"^(?:(?:aika|tosi|todella|melko|erittäin|ihan|varsin) )?(?:vaikea|hankala|mahdoton|kinkkinen|haastava|paha|"
                  r"kimurantti|visainen|outo|epäselvä|huono|tyhmä) (?:kysymys|kysyä|kysymyksiä)"),
    ("dont_know", r"^(?:kysymys|tämä|se|asia) (?:ei|eivät) (?:aukea|aukene|avaudu|avautunut)"),
    # ---- asking back: "mistä minä tiedän", "mitäpä tuohon sanoisi", "mitä se edes on", "mikä ihmeen kehitysyhteistyö"
    ("dont_know", r"^(?:mistä|mitä) (?:minä |sen |me )?(?:tiedän|tietäisin|tietää|tietäisi|tiedämme)(?: sen| tuon| siitä)?$"),
    ("dont_know", r"^mitä(?:pä)? (?:tuohon|tähän|siihen|sitä) (?:nyt )?(?:pitäisi |voisi |osaisi )?(?:sanoa|sanoisi|sanoisin|sanomaan|"
                  r"vastata|vastaisi|vastaisin|kirjoittaa|kirjoittaisi|laittaa|laittaisi)$"),
    ("dont_know", r"^mitä(?:pä|s)? (?:tuohon|tähän|siihen|tuosta|tästä)$"),
    ("dont_know", r"^mitä(?:pä|s)? (?:pitäisi |voisi |osaisi )?(?:sanoa|sanoisi|sanoisin|sanon|sanomaan|vastata|vastaisi|vastaisin|"
                  r"vastaan|kirjoittaa|kirjoittaisi|kirjoittaisin|kirjoitan|laittaa|laittaisi|laittaisin|laitan|keksiä|keksisin)$"),
    ("dont_know", r"^(?:mitä|mikä|mitkä)(?: ihmeen)?(?: \w+){0,3}? (?:edes |oikein |ihmeen )?"
                  r"(?:on|ovat|tarkoittaa|tarkoitatte|tarkoitetaan|tarkoittavat|tarkoitat|haetaan|haette|kysytään|kysytte)$"),
    ("dont_know", r"^(?:mitä|mikä) (?:ihmeen )?(?:tarkoittaa|tarkoitetaan|tarkoitatte|tarkoitat)(?: \w+){0,3}$"),
    ("dont_know", r"^(?:mikä|mitä|mitkä) (?:ihmeen|hemmetin|kumman|kummallinen)"),
    # ---- putting it off: "pitää miettiä", "kysy joltain muulta"
    ("dont_know", r"^(?:pitää|pitäisi|täytyy|täytyisi|tarvitsee) (?:vielä |vähän |ensin )?(?:miettiä|ajatella|pohtia|tarkistaa)$"),
    ("dont_know", r"^kysy(?:kää)? (?:joltain|joltakin|joltakulta|muilta|muualta|asiantuntijalta|asiantuntijoilta)"
                  r"(?: muulta| muilta| muualta| toiselta)?$"),
    # ---- nothing to say
    ("no_comment", r"^ei (?:minulla |meillä )?(?:ole |oo )?(?:ollut )?(?:(?:mitään|muuta|sen|erityisesti|erityistä|erityisempää|"
                   r"juuri|paljon|kummempaa|enempää) )*" + TO_SAY),
    ("no_comment", r"^ei (?:ole |oo )?" + NEG_ADV + r"mitään"),
    ("no_comment", r"^ei (?:ole |oo )?" + NEG_ADV + r"(?:mitään )?muuta"),
    ("thanks", r"^ei (?:ole |oo )?(?:mitään )?muuta (?:kuin|kun)(?= (?:kiitos|kiitoksia|kiitokset|kiitti))"),
    # ---- refusals: "en halua vastata", "ei viitsi kertoa", "en jaksa", "en ota kantaa", "ei koske meitä"
    ("no_comment", r"^" + NEG + " " + NEG_ADV + WANT + " " + NEG_ADV + r"(?:(?:ruveta|ruvennut|alkaa|lähteä|ryhtyä) )?" + ANSWER_VERB),
    ("no_comment", r"^" + NEG + " " + NEG_ADV + r"(?:halua|halunnut|haluta|viitsi|viitsinyt|jaksa|jaksanut|jakseta)$"),
    ("no_comment", r"^" + NEG + r" (?:rupea|ruvennut|ryhdy|lähde|aio|jaksa|viitsi|halua)(?: (?:tällaisia|tuollaisia|sellaisia|"
                   r"tällaiseen|tuollaiseen|sellaiseen|tätä|näitä|tällaista|tuollaista|kyselyjä|kyselyitä|kysymyksiä|yhtään))?$"),
    ("no_comment", r"^" + NEG + r" (?:ota|ottanut|ottaneet|oteta|halua ottaa|halunnut ottaa) (?:mitään )?kantaa"),
    ("no_comment", r"^(?:(?:kysymys|kysymykset|tämä|tää|asia|se|kohta|aihe) )?(?:ei|eivät|eikä) (?:koske|kosketa|liity|sovellu) "
                   r"(?:minua|meitä|minuun|meihin|minulle|meille|meidän \w+|\w+(?:ämme|amme|äni|ani))?$"),
    ("no_comment", r"^ei (?:relevantti|relevanttia|sovellu|sovellettavissa)$"),
    ("no_comment", r"^ei (?:sanonut|kertonut|puhunut|suostunut vastaamaan|suostunut kertomaan|suostunut sanomaan)"),
    ("no_comment", r"^ei (?:minua |meitä )?" + NEG_ADV + r"(?:kiinnosta|huvita)(?: " + NEG_ADV + ANSWER_VERB + ")?$"),
    ("no_comment", r"^(?:en|ei) (?:vastaa|vastannut|vastanneet)$"),
    ("no_comment", r"^(?:en|emme) (?:kerro|sano|vastaa|kommentoi|paljasta)"),
    ("dont_know", r"^" + NEG + r" (?:koe|katso|usko|tiedä) (?:voivani|pystyväni|osaavani|voivamme|pystyvämme|osaavamme) "
                  + NEG_ADV + ANSWER_VERB),
    ("dont_know", r"^" + NEG + r" (?:ole |ollut )?" + NEG_ADV + r"(?:miettinyt|miettineet|ajatellut|ajatelleet|pohtinut|pohtineet|"
                  r"tullut ajatelleeksi|tullut mietittyä|(?:ehtinyt|ehtineet) (?:miettiä|ajatella|pohtia|perehtyä))"),
    ("dont_know", r"^(?:aihe|asia|termi|käsite|sana|tämä|se|aihepiiri|kysymys) (?:ei|eivät) (?:ole )?(?:minulle |meille )?"
                  r"(?:kovin |juurikaan |ihan |yhtään |niin |oikein )?(?:tuttu|tuttua|tuttuja|selvä|selvää|tiedossa|ymmärrettävä)"),
    ("no_comment", r"^(?:asiasta |tästä |siitä |tähän )?ei (?:voida|haluta|pystytä|voi) " + ANSWER_VERB),
    ("no_comment", r"^(?:pidättäydyn|pidättäydymme|kieltäydyn|kieltäydymme|kieltäytyi|kieltäytyy|pidättäytyi)"
                   r"(?: vastaamasta| vastaamisesta| kommentoimasta| kertomasta)?"),
    ("no_comment", r"^(?:jätän|jätämme|jätin) (?:tämän |tän |sen |tuon |tähän )?(?:kysymyksen |kohdan |osion )?"
                   r"(?:vastaamatta|väliin|tyhjäksi|kommentoimatta)"),
    ("no_comment", r"^(?:ohitan|ohitamme|ohi|skip|skippaan|passaan|pass|passi|seuraava|seuraavaan|next)"
                   r"(?: tämän| tämä| tätä| kysymyksen| kysymys| kysymykseen| tästä| tämän kysymyksen| question)?$"),
    # ---- none of your business, confidential
    ("no_comment", r"^(?:se |asia |tämä |tuo |vastaus )?(?:ei|eikä) " + NEG_ADV + r"(?:kuulu|kuulua) " + NEG_ADV
                   + r"(?:sinulle|teille|kenellekään|muille|ulkopuolisille|minulle|meille|\w+(?:lleni|llemme|iini|ihini))"),
    ("no_comment", r"^(?:se |asia |tämä |tuo )?(?:ei|eikä) (?:ole )?(?:sinun|teidän|kenenkään muun|muiden) "
                   r"(?:asia|asiasi|asianne|asioita|bisnestä)"),
    ("no_comment", r"^(?:se |tämä |tuo |asia )?(?:on )?(?:minun|meidän|oma|omani) (?:asiani|asiamme|asia|bisnekseni|juttuni)$"),
    ("no_comment", r"^(?:(?:se|asia|asiat|tämä|tuo|vastaus|vastaukseni|tieto|tiedot|ne|nämä) )?(?:on|ovat) " + ADVERB
                   + r"(?:luottamuksellinen|luottamuksellista|luottamuksellisia|yksityisasia|yksityisasioita|yksityinen|yksityisiä|"
                   r"henkilökohtainen|henkilökohtaista|henkilökohtaisia|salainen|salaista|salaisia|salaisuus|arkaluontoinen|"
                   r"arkaluonteinen|arkaluonteisia)(?: tietoa| asia| asioita| tieto)?"),
    # ---- see another answer
    ("see_above", r"^(?:(?:vastaus|vastaukseni|vastaus on|vastaukseni on) )?(?:sama|samat|samaa|samoin|kuten|katso|ks|kts|vrt|"
                  r"viittaan|viittaus|vastasin|vastattu)"),
    ("see_above", r"^(?:kun|kuten|kuin|niin kuin) (?:jo )?(?:edellä |aiemmin |äsken |ylempänä )?(?:sanoin|kerroin|mainitsin|totesin|"
                  r"kirjoitin|vastasin|sanoimme|totesimme)"),
    ("see_above", r"^(?:katsokaa|katsoa|katsokaa vaikka|kuin|niin kuin|sanoin|kerroin|mainitsin|kirjoitin|totesin|"
                  r"(?:olen|olemme) (?:jo )?(?:vastannut|sanonut|kertonut|maininnut|kirjoittanut|todennut|vastanneet))"),
    ("see_above", r"^(?:vastaus|vastaukseni|vastaus tähän|vastaukset) (?:löytyy|löytyvät|sisältyy|sisältyvät|ilmenee|käy ilmi)"),
    ("see_above", r"^(?:kaikki |kaiken |se |asia |kaikki olennainen |olennainen |kaikki tarpeellinen )?(?:on )?jo "
                  r"(?:sanottu|kerrottu|mainittu|todettu|vastattu|sanonut|kertonut|vastannut)"),
    # ---- nothing to improve, all is well (read with the question)
    ("no_suggestions", r"^ei (?:ole |oo )?(?:mitään |juuri |juurikaan |erityisiä |erityistä )?(?:kehitettävää|parannettavaa|korjattavaa|"
                       r"muutettavaa|muutostarpeita|muutostarvetta|toiveita|toivomuksia|ehdotuksia|kehitysehdotuksia|"
                       r"parannusehdotuksia|valittamista|valitettavaa|moitittavaa|huomautettavaa|huomauttamista|moittimista|"
                       r"kehittämistarpeita|kehittämisehdotuksia|kritiikkiä|huonoa sanottavaa|pahaa sanottavaa|tarvetta muutoksille)"),
    ("no_suggestions", r"^(?:kaikki|kaikki on|kaikki ovat|kaikki on ollut|kaikki ollut|asiat ovat|asiat on|homma on|homma) "
                       + ADVERB + r"(?:hyvin|ok|okei|kunnossa|mallillaan|hyvää|loistavasti|erinomaisesti|kohdallaan|reilassa|jees)$"),
    ("no_suggestions", r"^kaikki (?:on |ovat )?(?:mennyt|toiminut|sujunut|toimii|menee|sujuu|pelaa|pelannut)(?: " + ADVERB
                       + r"(?:hyvin|ok|mainiosti|loistavasti|moitteettomasti|kivasti|sujuvasti))?$"),
    ("no_suggestions", r"^(?:hyvin|hienosti|mainiosti|loistavasti|ok) (?:menee|toimii|on mennyt|on toiminut|sujuu|on sujunut|pelaa)$"),
    ("no_suggestions", r"^(?:hyvä|ok|hyvä on) (?:näin|niin)"),
    ("no_suggestions", r"^jatkakaa (?:samaan malliin|samaan tapaan|samalla tavalla|samaa rataa|samoin|hyvää työtä)"),
    ("no_suggestions", r"^(?:olen|olemme|ollaan|oon) (?:ollut |olleet )?" + ADVERB + r"tyytyväi\w*"),
    ("no_suggestions", r"^ei (?:tarvitse|tarvi|tarvii) (?:muuttaa|kehittää|parantaa|korjata) (?:mitään|mitenkään)"),
    ("no_suggestions", r"^en keksi (?:mitään )?(?:kehitettävää|parannettavaa|muutettavaa)"),
    # ---- no experience of it
    ("no_experience", r"^(?:minulla |meillä |mulla |itsellä |itselläni )?(?:ei|en|emme) (?:ole |oo )?(?:ollut |omaa |omakohtaista |"
                      r"henkilökohtaista |juurikaan |yhtään |mitään |riittävästi |tarpeeksi )*kokemu\w*"),
    ("no_experience", r"^(?:en|emme) ole (?:koskaan |vielä |juurikaan |itse |henkilökohtaisesti )*(?:ollut|olleet) "
                      r"(?:tekemisissä|mukana|yhteydessä|osallisena)"),
    ("no_experience", r"^(?:en|emme) ole (?:koskaan |vielä |juurikaan |itse )*(?:osallistunut|osallistuneet|käyttänyt|käyttäneet|"
                      r"kokeillut|asioinut|hakenut|tarvinnut)"),
    # ---- thanks
    ("thanks", r"^(?:kiitos|kiitoksia|kiitokset|kiitti|thanks|thank you)"),
    ("thanks", r"^(?:hyvä|hieno|mukava|kiva|tärkeä) (?:kysely|kyselyä|aloite)$"),
))


@functools.lru_cache(maxsize=1)
def any_family() -> re.Pattern:
    """All the heads in one pattern: one test rules out every family for most clauses that say something."""
    return re.compile("|".join(f"(?:{head.pattern})" for _, head in FAMILIES))
