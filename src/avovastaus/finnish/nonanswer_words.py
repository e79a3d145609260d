"""Word classes of the non-answer filter: fillers, particles, pronouns, question words and what may follow a phrase.

Every list holds standard written forms: the words of an answer are read in that form first (``nonanswer_forms``).
"""

from __future__ import annotations

import re

#: words that may follow any non-answer phrase without making it an answer ("en osaa sanoa tähän nyt")
FILLER = frozenset(
    "tähän tässä nyt mitään enempää oikein tällä hetkellä hetkeen tätä asiaa asiaan aiheeseen aiheesta asiasta tästä "
    "kyllä valitettavasti sen kummemmin sitten juuri vielä muuta mielestäni minusta ainakaan oikeastaan ihan tosi kovin "
    "yhtään mitenkään tarkemmin varmaksi sinänsä siis no noh joo niin "
    # spoken and hedging fillers (after the words are read in their standard form)
    "oikeasti just heti rehellisesti sanottuna näin äkkiseltään äkkiä suoralta kädeltä noin vain ehkä kai varmaan "
    "tarkalleen tarkkaan tarkasti enää edes siitä tuosta tuohon siihen tuollaiseen tällaiseen sellaiseen sellaisesta "
    "vaiheessa yhteydessä nyt kylläkään kuitenkaan hmm xd d p sori sorry anteeksi harmi kiitos kiitoksia kiitti lol haha "
    "hehe kysymykseen kyselyyn eniten parhaiten lyhyesti yhdellä sanalla kyselyssä yksiselitteisesti varmasti yleisesti "
    "kattavasti objektiivisesti luotettavasti tyhjentävästi ääneen julkisesti hätään pls please".split()
)
META = re.compile(  # words about answering, for "en ole perehtynyt tähän niin hyvin että osaisin vastata"
    r"^(?:vasta[uta]|vastaa|sano|kommentoi|arvioi|osai|osaa|osan|perustel|kanta|mielipi|tietä|tiedä|tunne|tunte|perehty|"
    r"antaa|antama|ottaa|ottama|että|jotta|hyvin|riittäv|tarpeeksi|kunnolla|järkevä|fiksu|oikean|oikeaa|asiantunte|"
    r"vaike|vaikea|hankala|aika)"
)
REFERENCE = frozenset(
    "kuin ku kun jo edellä yllä ylempänä ylempää ylhäällä aiemmin aikaisemmin aiempi aiempaan aiemmassa aiemmat edellinen "
    "edelliseen edellisessä edellisestä edellisen edelliset ed vastaus vastaukseen vastaukseeni vastauksessa vastauksessani "
    "vastaukset vastauksen vastauksista vastauksiin kohta kohdassa kohtaan kohdan kohdat kysymys kysymyksessä kysymykseen "
    "kysymyksen kysymys totesin mainitsin sanoin kerroin kirjoitin vastasin mainittu todettu sanottu perustelut perustelu "
    "numero nro tuolla siellä sama samat samaa mitä eli alla alempana ennen ennenkin em "
    "äsken juttu asia homma tuossa tuonne ylös ylhäälle jo sanottu kerrottu mainittu olennainen kaikki olen on "
    "eka ekassa ekaan ekana ekaksi ensimmäinen ensimmäisessä ensimmäiseen ensimmäisen toinen toisessa toiseen toisen "
    "kolmas kolmannessa kolmanteen".split()
)
POINTER = re.compile(r"^(?:\w+ )*(?:edellä|yllä|ylempänä|ylempää|ylhäällä|aiemmin|aikaisemmin|äsken|edelli\w*|aiemp\w*|ylemp\w*)\b")
REFERENCE_STEM = re.compile(r"^(?:vastau|vastaus|kysymy|kohda|kohta|edelli|aiemp|aiemm|aikaisemp|ylemp|perustelu|kommentti|kommentei|"
                            r"esitett|sanott|todett|mainitt|kerrott|kirjoitett)")
THANKS_TAIL = frozenset(
    "paljon kovasti kyselystä kysymyksestä kysymyksistä mahdollisuudesta vastata vaikuttaa osallistua kun kysyitte kysytte "
    "kysyt kysytään ja hyvää kevättä kesää syksyä talvea joulua päivänjatkoa jatkoa viikonloppua hei moi terveisin tästä "
    "teille sinulle kaikille vaivannäöstä hyvä mukava kiva hieno kysely kyselyä kysymästä".split()
)
NO_SUGGESTION_TAIL = frozenset("nykyiseen nykytilanteeseen tilanteeseen kaikkeen näin niin kaikin puolin".split())
#: what may follow "en tiedä / en muista / ei tule mieleen / en tunne": the topic, "nothing special"
DONT_KNOW_TAIL = frozenset(
    "aihetta aihepiiriä termiä käsitettä sanaa asiaa sitä tätä tuota mieleen mitään mikään muuta erityistä erityisempää "
    "fiksua järkevää sopivaa hyvää kummempaa kummoista konkreettista tiettyä spesifiä mielenkiintoista uutta yksittäisiä "
    "tilanteita tapauksia esimerkkejä yksityiskohtia nimeä nimiä yksiselitteistä selkeää selvää täsmällistä suoraa "
    "varmaa vastausta sellaisesta tuollaisesta tällaisesta siitä tuosta tästä riittävästi hyvin kovin tarpeeksi "
    "kysymystä kysymyksen kysymyksiä koko sanasta termistä käsitteestä aiheesta ketään kukaan mikään tarkoitusta ideaa "
    "pointtia merkitystä ajatusta juttua kysely kyselyä juttu järjestykseen tärkeysjärjestykseen".split()
)
#: words that carry nothing beside a non-answer's core, wherever they stand: discourse adverbs, the respondent as
#: subject or experiencer, the topic pointed at ("en mä kyl oikeen tiiä", "minulla ei ole asiasta mielipidettä",
#: "tähän en halua vastata"); quantifiers (mitään, yhtään, muuta) are not among them: "en osaa mitään" says something
LOOSE = frozenset(
    "nyt kyllä kylläkään oikein oikeastaan oikeasti ihan aivan just juuri vielä heti enää edes siis tosiaan varmaan kai "
    "ehkä sitten valitettavasti rehellisesti tarkalleen tarkkaan tarkemmin välttämättä suoraan ainakaan todellakaan "
    "kuitenkaan kauheasti hirveästi kovin ikinä koskaan itse sinänsä mielestäni hmm lol xd haha hehe tbh sori sorry "
    "anteeksi tuota minä me hän minulla meillä minulle meille itselläni itselleni meikäläisellä "
    "tähän tässä tästä siihen siitä tuohon tuosta sitä asiaan asiasta aiheesta aiheeseen kysymykseen".split()
)
#: hedges: loose at the end of a clause, but what follows one is a guess ("en tiedä, ehkä raha")
HEDGES = frozenset("ehkä varmaan kai luultavasti todennäköisesti mahdollisesti".split())
#: multiword adverbs of the same kind ("tällä hetkellä", "näin äkkiseltään", "rehellisesti sanottuna")
LOOSE_PHRASES = re.compile(
    r"(?:^| )(?:tähän hätään|tällä (?:hetkellä|kertaa|erää)|tässä (?:vaiheessa|kohtaa|kohdassa|yhteydessä)|"
    r"näin (?:äkkiseltään|äkkiä|nopeasti)|(?:rehellisesti|suoraan|totta) (?:sanottuna|sanoen|puhuen)|noin vain|"
    r"suoralta kädeltä|yhdellä sanalla|niin sanotusti)(?= |$)"
)
#: the first words of ``LOOSE_PHRASES``: a clause without any of them skips that regular expression
LOOSE_PHRASE_STARTS = frozenset("tähän tällä tässä näin rehellisesti suoraan totta noin suoralta yhdellä niin".split())
CONJUNCTIONS = frozenset("mutta koska vaikka paitsi joten kyllä silti".split())
EXPERIENCE_TAIL_WORDS = 3  # "en ole käyttänyt näitä palveluja": the object of the missing experience

ADVERB = r"(?:ihan |tosi |oikein |todella |erittäin |aivan |varsin |melko |täysin |hyvin )?"
#: adverbs between the negation and its verb ("en nyt oikein tiedä", "ei kyllä osaa sanoa")
NEG_ADV = (r"(?:(?:nyt|oikein|kyllä|ihan|vielä|juuri|just|heti|oikeastaan|oikeasti|edes|enää|siis|tosiaan|varmaan|kai|"
           r"yhtään|tässä|tähän|sitten|kauheasti|hirveästi|valitettavasti|suoraan|todellakaan|koskaan|ikinä|itse|"
           r"tällä hetkellä|tarkalleen|tarkkaan|mitään|taida|taida oikein) )*")
NEG = r"(?:en|ei|emme|e|eivät|ette)"
#: verbs of answering after "en halua / en jaksa / en voi" (with spoken infinitives: "miettii", "aatella")
ANSWER_VERB = (r"(?:vastata|vastaamaan|vastaa|kertoa|kertomaan|sanoa|sanomaan|kommentoida|kommentoimaan|puhua|puhumaan|"
               r"selittää|selittämään|paljastaa|paljastamaan|ottaa kantaa|ottamaan kantaa|eritellä|kirjoittaa|kirjoittamaan|"
               r"jakaa|arvioida|arvioimaan|kuvailla|kuvailemaan|avata|avaamaan|miettiä|miettimään|ajatella|pohtia|keksiä|"
               r"osallistua|osallistumaan|vastailla|miettii|pohtii|aatella|keksii|jatkaa|jatkamaan|keskustella|keskustelemaan)")
#: a dont_know head whose object is an embedded question ("en tiedä mitä se on", "en osaa sanoa ketä")
WH = frozenset(
    "mitä mikä mitkä kuka ketä keitä ketkä kenelle keneltä kenen kenet missä mistä mihin miten millainen millaista "
    "millaisia minkälainen minkälaista minkälaisia miksi milloin kumpi kuinka paljonko montako mitäs mikäs mitäpä".split()
)
#: embedded questions that ask the question's own "what" or "who" ("en tiedä mitä se on"); "milloin", "miksi",
#: "mistä hakea" add a statement of their own ("en muista milloin olisin ollut iloinen")
GENERIC_WH = frozenset("mitä mikä mitkä kuka ketä keitä ketkä kenet".split())
#: words about what the question asks or means ("en tiedä mistä te puhutte", "mitä tässä haetaan")
ASKING = frozenset("tarkoittaa tarkoitatte tarkoitetaan tarkoitat tarkoitettiin kysytään kysytte kysyt kysyttiin kysytä puhutte "
                   "puhutaan puhut haetaan haette haet kyse kyseessä".split())
ANSWERING = frozenset("kirjoittaa laittaa vastata sanoa panna kirjoittaisi laittaisi vastaisi sanoisi kirjoitan laitan".split())
CONDITIONAL = re.compile(r"\w{2,}(?:isi|isin|isit|isimme|isitte|isivat|isivät|is|isiin)$")
MODALS = frozenset(
    "pitäisi pitää pitäis pitäs voisi vois voitaisiin saisi sais tulisi täytyy kannattaa kannattaisi kannattais "
    "pitäisikö voisiko".split()
)
NEGATION_WORDS = frozenset("ei eikä en emme ette eivät ettei kukaan mikään".split())
COPULA = frozenset("on ovat oli olivat olisi olla ole olen olet olemme olette olin olit oon oot olisin olisit olisimme olisitte "
                    "olisivat ois".split())
PRONOUNS = frozenset(
    "minä minua minut minun minulla minulle minulta minussa minuun minusta sinä sinua sinut sinun sinulla sinulle sinulta "
    "sinussa sinuun sinusta me meitä meidät meidän meillä meille meiltä meissä meihin meistä te teitä teidät teidän teillä "
    "teille teiltä teissä teihin teistä hän häntä hänet hänen hänellä hänelle häneltä he heitä heidät heidän heillä heille "
    "se sitä sen sillä sille siltä siinä siihen siitä ne niitä niiden tämä tätä tämän tässä tähän tästä tuo tuota "
    "mä sä mua sua mun sun mulle sulle mulla sulla multa sulta itse itseä itselle sinut minut".split()
)
#: discourse particles and fillers typed to get past a required field: alone they say nothing
PARTICLES = frozenset(
    "no noh nojoo hmm hm mm mmm öö ööh öh ää äää ee eh tota tuota niin nii joo jooh juu jaa jaaha ai aa häh täh hä eikö eiks "
    "jotain jotakin jotai xd kyllä jep jees yes ok okei lol höh hö njaa mjoo mjaa tjaa äh pöh jahas aijaa mitä moi hei heippa "
    "terve haha hehe hihi heh hah".split()
)
YES = frozenset("kyllä joo jooh juu jep jees yes on okei".split())
#: particles that evaluate: "ok" answers "Miten yhteistyö toimii?" (and any question whose wording is unknown)
EVALUATIVE = frozenset("ok okei jees".split())
NEGATIONS = frozenset("en ei emme e ette eivät".split())
