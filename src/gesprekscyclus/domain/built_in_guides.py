"""The guides of the built-in conversation types, in Dutch and English.

Each guide is written for someone leading this kind of conversation for the first time. The
texts are the catalog's content; :func:`built_in_guides` returns them in catalog order.

>>> [guide.type_key for guide in built_in_guides()][:2]
['check_in', 'growth_review']
"""

from __future__ import annotations

from gesprekscyclus.domain.guides import ConversationGuide
from gesprekscyclus.domain.text import LocalizedText

__all__ = ["built_in_guides"]


def _t(nl: str, en: str) -> LocalizedText:
    return LocalizedText(nl=nl, en=en)


def _list(*pairs: tuple[str, str]) -> tuple[LocalizedText, ...]:
    return tuple(_t(nl, en) for nl, en in pairs)


_CHECK_IN = ConversationGuide(
    type_key="check_in",
    purpose=_t(
        "Een check-in is een kort, regelmatig moment om bij te praten. Het gaat niet om "
        "beoordelen, maar om weten hoe het écht gaat en om op tijd te zien waar je kunt "
        "helpen. Juist omdat het vaak gebeurt, mag het licht en gewoon zijn.",
        "A check-in is a short, regular moment to catch up. It is not about judging but "
        "about knowing how someone is really doing, and spotting early where you can help. "
        "Because it happens often, it can be light and ordinary.",
    ),
    leader_prepares=_t(
        "Lees de afspraken van de vorige keer terug en kijk welke open staan. Zet je telefoon "
        "en meldingen uit en plan het gesprek niet tussen twee haastige afspraken in.",
        "Read back the agreements from last time and see which are still open. Silence your "
        "phone and notifications, and do not squeeze the talk between two rushed meetings.",
    ),
    employee_prepares=_t(
        "Je medewerker denkt na over wat hem of haar nu het meest bezighoudt en waar hulp "
        "welkom is. Een paar steekwoorden is genoeg.",
        "Your employee thinks about what is most on their mind and where help would be "
        "welcome. A few keywords are enough.",
    ),
    opening=_t(
        'Begin met iets persoonlijks en oprechts ("Hoe is je week geweest?") en zeg dat dit '
        "gesprek van jullie allebei is: je medewerker mag de onderwerpen bepalen. Laat merken "
        "dat je tijd hebt.",
        'Start with something personal and sincere ("How has your week been?") and say this '
        "conversation belongs to both of you: your employee may set the topics. Show that "
        "you have time.",
    ),
    avoid=_list(
        (
            "Er een statusoverleg van maken over lopende taken.",
            "Turning it into a status meeting about ongoing tasks.",
        ),
        (
            "Het gesprek verzetten zodra het druk wordt; dat zegt meer dan je denkt.",
            "Moving the talk as soon as things get busy; it says more than you think.",
        ),
        (
            "Meteen oplossingen aandragen voordat je het probleem begrijpt.",
            "Offering solutions before you understand the problem.",
        ),
    ),
    questions=_list(
        ("Hoe gaat het met je, echt?", "How are you doing, really?"),
        ("Wat houdt je op dit moment het meest bezig?", "What is on your mind most right now?"),
        (
            "Waar ben je de afgelopen weken trots op?",
            "What are you proud of from the past few weeks?",
        ),
        (
            "Waar loop je tegenaan, en wat zou helpen?",
            "What is getting in your way, and what would help?",
        ),
        (
            "Wat kan ik de komende tijd voor je doen?",
            "What can I do for you in the coming weeks?",
        ),
    ),
    follow_ups=_list(
        ("Vertel eens wat meer.", "Tell me a bit more."),
        ("Wat maakt dat dat zo voelt?", "What makes it feel that way?"),
        ("Wat heb je zelf al geprobeerd?", "What have you already tried yourself?"),
    ),
    listening=_t(
        "Laat je medewerker het meeste woord doen; jij stelt vooral vragen. Vat aan het eind "
        "in een paar zinnen samen wat je gehoord hebt en vraag of dat klopt.",
        "Let your employee do most of the talking; you mainly ask. At the end, sum up in a "
        "few sentences what you heard and ask whether that is right.",
    ),
    closing=_t(
        "Spreek hooguit één of twee kleine dingen af, elk met wie het doet en wanneer. Leg ze "
        "vast als actiepunt, zodat je er de volgende check-in op terug kunt komen.",
        "Agree on one or two small things at most, each with who does it and by when. Record "
        "them as action items so you can come back to them at the next check-in.",
    ),
)

_GROWTH_REVIEW = ConversationGuide(
    type_key="growth_review",
    purpose=_t(
        "In het groeigesprek kijken jullie samen terug op het afgelopen jaar en vooruit naar "
        "het volgende: het werk, het werkplezier, de samenwerking en de ontwikkeling. Het is "
        "een gesprek in twee richtingen: jij geeft feedback, en je vraagt ook wat je "
        "medewerker van jou nodig heeft. Er hangt geen oordeel of beloning aan.",
        "In the growth review you look back together at the past year and ahead to the next: "
        "the work, job satisfaction, collaboration and development. It runs both ways: you "
        "give feedback, and you also ask what your employee needs from you. No rating or pay "
        "depends on it.",
    ),
    leader_prepares=_t(
        "Beantwoord je eigen voorbereidingsvragen en verzamel twee of drie concrete "
        "voorbeelden van wat goed ging en van wat beter kan. Lees de afspraken van vorig jaar "
        "terug. Bedenk ook wat jij anders kunt doen als leidinggevende.",
        "Answer your own preparation questions and gather two or three concrete examples of "
        "what went well and of what could be better. Read back last year's agreements. Think "
        "too about what you could do differently as a manager.",
    ),
    employee_prepares=_t(
        "Je medewerker beantwoordt de voorbereidingsvragen: waar hij of zij trots op is, wat "
        "werkdruk en samenwerking doen, en wat hij of zij wil leren. Vraag om dat een paar "
        "dagen van tevoren te doen.",
        "Your employee answers the preparation questions: what they are proud of, how "
        "workload and collaboration feel, and what they want to learn. Ask them to do so a "
        "few days ahead.",
    ),
    opening=_t(
        "Leg kort uit hoe het gesprek loopt en dat het om groei gaat, niet om een oordeel. "
        "Laat je medewerker beginnen met terugkijken; wie eerst mag vertellen, durft daarna "
        "ook feedback te horen. Zeg dat het verslag samen wordt vastgesteld.",
        "Briefly explain how the conversation will go and that it is about growth, not a "
        "verdict. Let your employee start by looking back; someone who may speak first is "
        "more open to feedback afterwards. Say that the record is agreed together.",
    ),
    avoid=_list(
        (
            'Feedback verpakken in algemeenheden ("je moet proactiever zijn"); noem een '
            "concreet voorbeeld en het effect ervan.",
            'Wrapping feedback in generalities ("you should be more proactive"); name a '
            "concrete example and its effect.",
        ),
        (
            "Verrassingen: wat je medewerker hier voor het eerst hoort, had eerder gezegd "
            "moeten worden.",
            "Surprises: anything your employee hears here for the first time should have "
            "been said earlier.",
        ),
        (
            "Het gesprek volpraten met je eigen verhaal; de helft van de tijd is van je "
            "medewerker.",
            "Filling the conversation with your own story; half the time belongs to your employee.",
        ),
    ),
    questions=_list(
        (
            "Als je terugkijkt op het afgelopen jaar, waar ben je het meest trots op?",
            "Looking back on the past year, what are you proudest of?",
        ),
        (
            "Wat gaf je energie, en wat kostte je juist veel?",
            "What gave you energy, and what took a lot out of you?",
        ),
        (
            "Hoe ervaar je de samenwerking in het team?",
            "How do you experience working together in the team?",
        ),
        (
            "Wat wil je volgend jaar leren of bereiken?",
            "What would you like to learn or achieve next year?",
        ),
        (
            "Wat heb je van mij nodig, en wat kan ik beter doen?",
            "What do you need from me, and what could I do better?",
        ),
    ),
    follow_ups=_list(
        ("Welk voorbeeld komt bij je op?", "What example comes to mind?"),
        ("Wat zou daarvoor nodig zijn?", "What would that take?"),
        ("Hoe merk je dat?", "How do you notice that?"),
        ("Wat betekent dat voor je?", "What does that mean to you?"),
    ),
    listening=_t(
        "Luister om te begrijpen, niet om te reageren: laat stiltes even bestaan, want daarna "
        "komt vaak het belangrijkste. Vat na elk onderwerp samen in de woorden van je "
        'medewerker ("Als ik je goed begrijp...") en vraag of je iets mist.',
        "Listen to understand, not to reply: let silences be, because the most important "
        "thing often comes after one. Sum up after each topic in your employee's words (\"If "
        'I understand you correctly...") and ask whether you missed anything.',
    ),
    closing=_t(
        "Maak voor het komende jaar een paar afspraken die concreet zijn: wat er gebeurt, wie "
        "het doet en wanneer (of waarom er nog geen datum is). Leg elke afspraak vast als "
        "actiepunt met een eigenaar die aan het gesprek deelnam. Vraag aan het eind hoe je "
        "medewerker het gesprek vond.",
        "Make a few concrete agreements for the coming year: what happens, who does it and "
        "by when (or why there is no date yet). Record each as an action item owned by "
        "someone who took part. At the end, ask how your employee found the conversation.",
    ),
)

_APPRAISAL = ConversationGuide(
    type_key="appraisal",
    purpose=_t(
        "In het beoordelingsgesprek geef je een onderbouwd oordeel over het afgelopen jaar. "
        "Dat oordeel kan gevolgen hebben voor de beloning, dus het moet eerlijk, voorspelbaar "
        "en goed uitgelegd zijn. Je medewerker mag reageren en een eigen zienswijze "
        "vastleggen.",
        "In the appraisal you give a reasoned judgement of the past year. It may affect pay, "
        "so it has to be fair, predictable and well explained. Your employee may respond and "
        "record a written view of their own.",
    ),
    leader_prepares=_t(
        "Zet je oordeel op papier met feiten en voorbeelden bij elk doel. Check met HR of je "
        "de afspraken over beoordelen goed toepast. Bereid voor hoe je het oordeel in één of "
        "twee zinnen uitlegt.",
        "Write down your judgement with facts and examples for each goal. Check with HR that "
        "you apply the appraisal rules correctly. Prepare how you will explain the rating in "
        "one or two sentences.",
    ),
    employee_prepares=_t(
        "Je medewerker kijkt zelf terug op de resultaten en de afgesproken doelen, en mag "
        "voorbeelden meenemen die hij of zij belangrijk vindt.",
        "Your employee looks back on their results and the agreed goals, and may bring "
        "examples they find important.",
    ),
    opening=_t(
        "Noem aan het begin rustig het doel en het verloop: eerst de zelfevaluatie, dan jouw "
        "oordeel met de onderbouwing, dan ruimte voor reactie. Laat geen lange spanningsboog "
        "ontstaan; het oordeel hoort niet pas in de laatste minuut.",
        "At the start, calmly state the purpose and the order: first the self-assessment, "
        "then your judgement with its reasons, then room to respond. Do not build suspense; "
        "the rating does not belong in the last minute.",
    ),
    avoid=_list(
        (
            "Een oordeel dat niet eerder in het jaar is aangekondigd.",
            "A judgement that was not signalled earlier in the year.",
        ),
        (
            "Vergelijken met collega's bij naam.",
            "Comparing with colleagues by name.",
        ),
        (
            "Je oordeel bijstellen onder druk in het gesprek zelf; noteer de reactie en "
            "kom erop terug.",
            "Changing the rating under pressure during the conversation; note the response "
            "and come back to it.",
        ),
    ),
    questions=_list(
        (
            "Hoe kijk je zelf terug op je resultaten van het afgelopen jaar?",
            "How do you look back on your own results of the past year?",
        ),
        (
            "Welke omstandigheden hebben je werk geholpen of juist gehinderd?",
            "Which circumstances helped or hindered your work?",
        ),
        (
            "Hoe kijk je aan tegen de onderbouwing die ik net gaf?",
            "How do you see the reasons I have just given?",
        ),
        (
            "Wat heb je nodig om volgend jaar je doelen te halen?",
            "What do you need to meet your goals next year?",
        ),
    ),
    follow_ups=_list(
        ("Waar herken je je in, en waar niet?", "What do you recognise, and what not?"),
        ("Welk voorbeeld heb ik gemist?", "Which example did I miss?"),
        ("Wat zou je anders aanpakken?", "What would you approach differently?"),
    ),
    listening=_t(
        "Ook als je medewerker het niet eens is: luister uit, vat de kern van het bezwaar "
        "samen en leg het vast. Het verschil van inzicht hoeft niet in het gesprek opgelost "
        "te worden; het moet wel zichtbaar zijn in het verslag.",
        "Even when your employee disagrees: hear them out, sum up the core of the objection "
        "and record it. The disagreement need not be resolved in the conversation; it must "
        "be visible in the record.",
    ),
    closing=_t(
        "Vat het oordeel en de reactie samen, en spreek af wat er nu gebeurt: de doelen voor "
        "volgend jaar, de ondersteuning en wie wat wanneer doet. Wijs je medewerker op de "
        "mogelijkheid om een zienswijze toe te voegen en op de termijn voor het akkoord.",
        "Sum up the rating and the response, and agree what happens now: next year's goals, "
        "the support, and who does what by when. Point out that your employee may add a "
        "written view, and the deadline for signing off.",
    ),
)

_DEVELOPMENT = ConversationGuide(
    type_key="development",
    purpose=_t(
        "Het ontwikkelgesprek gaat over de toekomst: waar wil je medewerker naartoe, welke "
        "vaardigheden horen daarbij en welke leerstappen zijn haalbaar. Het resultaat is een "
        "klein, persoonlijk ontwikkelplan waar jullie allebei aan bijdragen.",
        "The development conversation is about the future: where your employee wants to go, "
        "which skills belong to that and which learning steps are feasible. The result is a "
        "small personal development plan you both contribute to.",
    ),
    leader_prepares=_t(
        "Ga na welke ontwikkelmogelijkheden er zijn (budget, opleidingen, projecten, "
        "collega's die kunnen begeleiden) en welke sterke punten je bij je medewerker ziet.",
        "Find out which development options exist (budget, courses, projects, colleagues who "
        "could mentor) and which strengths you see in your employee.",
    ),
    employee_prepares=_t(
        "Je medewerker denkt na over ambities, over wat hij of zij wil leren en over de "
        "manier van leren die het beste werkt.",
        "Your employee thinks about their ambitions, what they want to learn and the way of "
        "learning that works best for them.",
    ),
    opening=_t(
        "Zeg dat alle ambities welkom zijn, ook als ze buiten het team of de huidige functie "
        "liggen. Begin bij de toekomst die je medewerker voor zich ziet, niet bij wat de "
        "organisatie nodig heeft.",
        "Say that every ambition is welcome, even one beyond the team or the current role. "
        "Start from the future your employee sees, not from what the organisation needs.",
    ),
    avoid=_list(
        (
            "Ambities afdoen als onrealistisch voordat je ze begrijpt.",
            "Dismissing ambitions as unrealistic before you understand them.",
        ),
        (
            "Beloftes doen over budget of promotie die je niet kunt waarmaken.",
            "Promising budget or promotion you cannot deliver.",
        ),
    ),
    questions=_list(
        (
            "Waar wil je over een paar jaar staan?",
            "Where would you like to be in a few years?",
        ),
        (
            "Welk werk doe je zo graag dat je de tijd vergeet?",
            "Which work do you enjoy so much that you lose track of time?",
        ),
        (
            "Welke vaardigheid zou je het meest verder helpen?",
            "Which skill would help you most?",
        ),
        (
            "Hoe leer je het liefst: door te doen, van anderen of met een opleiding?",
            "How do you prefer to learn: by doing, from others or through a course?",
        ),
        (
            "Wat is een eerste stap die je de komende maand kunt zetten?",
            "What is a first step you could take in the coming month?",
        ),
    ),
    follow_ups=_list(
        ("Wat trekt je daarin aan?", "What draws you to it?"),
        ("Hoe zou je merken dat het lukt?", "How would you notice it is working?"),
        ("Wie zou je daarbij kunnen helpen?", "Who could help you with that?"),
    ),
    listening=_t(
        "Stel vooral vragen en houd je eigen advies even vast. Vat de ambitie en de gekozen "
        "leerstappen samen, zodat je medewerker het plan als het zijne of hare herkent.",
        "Mainly ask, and hold back your own advice for a while. Sum up the ambition and the "
        "chosen learning steps so your employee recognises the plan as their own.",
    ),
    closing=_t(
        "Leg twee of drie leerstappen vast, elk met wie wat regelt en wanneer jullie "
        "terugkijken. Een plan zonder datum blijft liggen; geef elk actiepunt een datum of "
        "schrijf op waarom die er nog niet is.",
        "Record two or three learning steps, each with who arranges what and when you will "
        "look back. A plan without dates gets left; give each action item a date or write "
        "down why there is none yet.",
    ),
)

_STAY_INTERVIEW = ConversationGuide(
    type_key="stay_interview",
    purpose=_t(
        "Het blijfgesprek voer je met iemand die niet van plan is te vertrekken. Je wilt "
        "begrijpen waarom hij of zij blijft, wat het werk de moeite waard maakt en wat daar "
        "schade aan zou kunnen doen, voordat er een reden is om weg te gaan.",
        "The stay interview is held with someone who has no plans to leave. You want to "
        "understand why they stay, what makes the work worthwhile and what could harm that, "
        "before there is a reason to go.",
    ),
    leader_prepares=_t(
        "Deel de vragen vooraf, zodat het gesprek niet als een overval voelt. Bedenk wat je "
        "wel en niet kunt veranderen, zodat je straks eerlijk kunt zijn.",
        "Share the questions in advance so the conversation does not feel like an ambush. "
        "Think about what you can and cannot change, so you can be honest later on.",
    ),
    employee_prepares=_t(
        "Je medewerker leest de vragen en denkt na over wat het werk goed maakt en wat hij of "
        "zij zou veranderen.",
        "Your employee reads the questions and thinks about what makes the work good and "
        "what they would change.",
    ),
    opening=_t(
        "Zeg meteen waarom je dit gesprek voert: omdat je iemand graag houdt, niet omdat er "
        "iets aan de hand is. Laat merken dat eerlijke antwoorden, ook over jou, welkom zijn "
        "en geen gevolgen hebben.",
        "Say straight away why you hold this conversation: because you want to keep someone, "
        "not because something is wrong. Make clear that honest answers, including about "
        "you, are welcome and have no consequences.",
    ),
    avoid=_list(
        (
            "Defensief reageren op kritiek op jou of de organisatie.",
            "Reacting defensively to criticism of you or the organisation.",
        ),
        (
            "Dingen toezeggen die je niet kunt waarmaken om iemand te houden.",
            "Promising things you cannot deliver in order to keep someone.",
        ),
    ),
    questions=_list(
        ("Wat maakt dat je hier graag werkt?", "What makes you like working here?"),
        (
            "Wanneer ging je voor het laatst met plezier naar huis na je werk?",
            "When did you last go home from work feeling good about it?",
        ),
        (
            "Wat zou voor jou een reden kunnen zijn om te vertrekken?",
            "What could become a reason for you to leave?",
        ),
        (
            "Als je één ding aan je werk mocht veranderen, wat zou dat zijn?",
            "If you could change one thing about your work, what would it be?",
        ),
        (
            "Wat kan ik doen om je werk de moeite waard te houden?",
            "What can I do to keep your work worthwhile?",
        ),
    ),
    follow_ups=_list(
        ("Wat maakt dat zo belangrijk voor je?", "What makes that so important to you?"),
        ("Hoe lang speelt dat al?", "How long has that been going on?"),
        ("Wat zou het verschil maken?", "What would make the difference?"),
    ),
    listening=_t(
        "Noteer vooral wat je hoort, niet wat je ervan vindt. Vat aan het eind de redenen om "
        "te blijven en de risico's samen, en vraag of het beeld klopt.",
        "Note what you hear, not what you think of it. At the end, sum up the reasons to stay "
        "and the risks, and ask whether the picture is right.",
    ),
    closing=_t(
        "Spreek één of twee dingen af die je echt kunt doen, met een datum, en zeg eerlijk "
        "wat je niet kunt. Kom er aantoonbaar op terug: een blijfgesprek zonder vervolg doet "
        "meer kwaad dan goed.",
        "Agree on one or two things you can really do, with a date, and say honestly what you "
        "cannot. Come back to them visibly: a stay interview without follow-up does more harm "
        "than good.",
    ),
)

_EXIT_INTERVIEW = ConversationGuide(
    type_key="exit_interview",
    purpose=_t(
        "Het exitgesprek is een vrijwillig, vertrouwelijk gesprek met iemand die vertrekt. "
        "Het doel is leren: wat maakte het werk goed, wat ontbrak er en wat kan de organisatie "
        "beter doen. De uitkomsten worden alleen geanonimiseerd gedeeld; de leidinggevende "
        "leest het verslag niet.",
        "The exit interview is a voluntary, confidential talk with someone who is leaving. "
        "Its aim is learning: what made the work good, what was missing and what the "
        "organisation can do better. Results are only shared anonymised; the manager does "
        "not read the record.",
    ),
    leader_prepares=_t(
        "Bevestig vooraf dat het gesprek vrijwillig en vertrouwelijk is en wie het verslag "
        "kan lezen. Lees je niet in via de leidinggevende; kom onbevangen.",
        "Confirm beforehand that the talk is voluntary and confidential, and who can read the "
        "record. Do not get briefed by the manager; come with an open mind.",
    ),
    employee_prepares=_t(
        "Wie vertrekt hoeft niets voor te bereiden, maar mag vooraf nadenken over wat goed "
        "ging, wat ontbrak en welk advies hij of zij wil meegeven.",
        "The person leaving need not prepare anything, but may think beforehand about what "
        "went well, what was missing and what advice they want to give.",
    ),
    opening=_t(
        "Bedank voor de tijd en herhaal dat het gesprek vertrouwelijk is en niets meer aan het "
        "vertrek of het getuigschrift verandert. Begin bij de mooie kanten van de "
        "afgelopen periode; dat maakt het makkelijker om daarna ook het lastige te noemen.",
        "Thank them for their time and repeat that the talk is confidential and changes "
        "nothing about the departure or the reference. Start with the good sides of their "
        "time here; that makes it easier to name the hard parts afterwards.",
    ),
    avoid=_list(
        (
            "Proberen iemand over te halen om te blijven.",
            "Trying to talk someone into staying.",
        ),
        (
            "Het vertrek of de kritiek goed- of afpraten.",
            "Justifying or playing down the departure or the criticism.",
        ),
        (
            "Doorvragen naar namen of persoonlijke omstandigheden die iemand niet zelf noemt.",
            "Pressing for names or personal circumstances someone does not raise themselves.",
        ),
    ),
    questions=_list(
        (
            "Wat neem je mee van je tijd hier?",
            "What do you take with you from your time here?",
        ),
        (
            "Hoe ben je tot het besluit gekomen om te vertrekken?",
            "How did you come to the decision to leave?",
        ),
        ("Wat heb je hier gemist?", "What did you miss here?"),
        (
            "Wat had je leidinggevende of de organisatie anders kunnen doen?",
            "What could your manager or the organisation have done differently?",
        ),
        (
            "Welk advies geef je ons mee?",
            "What advice would you give us?",
        ),
    ),
    follow_ups=_list(
        ("Wanneer merkte je dat voor het eerst?", "When did you first notice that?"),
        ("Wat had toen geholpen?", "What would have helped then?"),
        ("Hoe kijken anderen daar volgens jou tegenaan?", "How do you think others see it?"),
    ),
    listening=_t(
        "Je bent hier om te leren, niet om te verdedigen. Laat iemand uitpraten, vat de "
        "belangrijkste punten neutraal samen en vraag welke punten zwaar wegen.",
        "You are here to learn, not to defend. Let the person finish, sum up the main points "
        "neutrally and ask which of them weigh most.",
    ),
    closing=_t(
        "Vertel wat er met de uitkomsten gebeurt en in welke vorm ze gedeeld worden "
        "(geanonimiseerd, samen met die van anderen). Spreek alleen af wat nog voor de vertrekker "
        "zelf geregeld moet worden, met wie en wanneer, en wens hem of haar het beste.",
        "Explain what happens with the results and in what form they are shared "
        "(anonymised, together with those of others). Only agree on what still needs "
        "arranging for the person leaving, by whom and by when, and wish them well.",
    ),
)

_WELLBEING = ConversationGuide(
    type_key="wellbeing",
    purpose=_t(
        "Het welzijnsgesprek gaat over balans, energie en duurzaam inzetbaar blijven: kan je "
        "medewerker dit werk op deze manier blijven doen? Het gaat over het werk en de "
        "omstandigheden, niet over gezondheid of medische zaken; die horen bij de "
        "bedrijfsarts.",
        "The wellbeing conversation is about balance, energy and staying able to work in a "
        "sustainable way: can your employee keep doing this work like this? It is about the "
        "work and its circumstances, not about health or medical matters; those belong with "
        "the occupational physician.",
    ),
    leader_prepares=_t(
        "Kijk naar werkdruk, overuren en verlofopname zonder conclusies te trekken. Zoek op "
        "welke hulp er is (vertrouwenspersoon, bedrijfsarts, flexibel werken), zodat je die "
        "kunt noemen.",
        "Look at workload, overtime and leave taken without drawing conclusions. Find out "
        "what help is available (confidential adviser, occupational physician, flexible "
        "working) so you can mention it.",
    ),
    employee_prepares=_t(
        "Je medewerker denkt na over wat energie geeft en kost, en wat nodig is om het werk "
        "over een paar jaar nog met plezier te doen.",
        "Your employee thinks about what gives and drains energy, and what it would take to "
        "still enjoy the work a few years from now.",
    ),
    opening=_t(
        "Zeg dat je dit gesprek voert omdat je wilt dat je medewerker het werk lang en met "
        "plezier kan doen, en dat hij of zij zelf bepaalt hoeveel er over privé gedeeld "
        "wordt. Vertel wat wel en niet in het verslag komt.",
        "Say you hold this conversation because you want your employee to do the work for a "
        "long time and with pleasure, and that they decide how much they share about their "
        "private life. Explain what does and does not go into the record.",
    ),
    avoid=_list(
        (
            "Vragen naar klachten, diagnoses of medicijnen.",
            "Asking about symptoms, diagnoses or medication.",
        ),
        (
            "Privézaken in het verslag zetten die je medewerker in vertrouwen vertelt.",
            "Putting private matters your employee shares in confidence into the record.",
        ),
        (
            'Het probleem meteen bij de medewerker leggen ("je moet beter grenzen stellen").',
            'Placing the problem straight back with the employee ("you should set better '
            'boundaries").',
        ),
    ),
    questions=_list(
        (
            "Hoe gaat het op dit moment met je, alles bij elkaar genomen?",
            "All things considered, how are you doing at the moment?",
        ),
        ("Wat geeft je energie in je werk?", "What gives you energy in your work?"),
        (
            "Wat kost je op dit moment de meeste energie?",
            "What is draining your energy most at the moment?",
        ),
        (
            "Hoe houd je werk en privé in balans?",
            "How do you keep work and private life in balance?",
        ),
        (
            "Wat zou je werk de komende maanden lichter of leuker maken?",
            "What would make your work lighter or more enjoyable in the coming months?",
        ),
    ),
    follow_ups=_list(
        ("Sinds wanneer merk je dat?", "Since when have you noticed that?"),
        ("Wat helpt je op zulke momenten?", "What helps you at such moments?"),
        ("Wat zou ik daarin kunnen betekenen?", "What could I do to help with that?"),
    ),
    listening=_t(
        "Neem zorgen serieus zonder ze groter of kleiner te maken. Vat samen wat je "
        "medewerker zelf als oorzaak en als oplossing noemt, en check of dat klopt.",
        "Take worries seriously without making them bigger or smaller. Sum up what your "
        "employee names as the cause and the remedy, and check that you have it right.",
    ),
    closing=_t(
        "Spreek kleine, haalbare stappen af in het werk (taken, planning, ondersteuning), elk "
        "met wie het doet en wanneer jullie erop terugkomen. Wijs waar passend op de "
        "bedrijfsarts of vertrouwenspersoon; dat is een aanbod, geen opdracht.",
        "Agree small, feasible steps in the work (tasks, planning, support), each with who "
        "does it and when you will come back to it. Where it fits, point to the occupational "
        "physician or confidential adviser; that is an offer, not an instruction.",
    ),
)

_ONBOARDING = ConversationGuide(
    type_key="onboarding",
    purpose=_t(
        "Het inwerkgesprek helpt een nieuwe collega landen. Na 30, 60 en 90 dagen en aan het "
        "eind van de proeftijd kijk je samen hoe het gaat, wat nog ontbreekt en wat de "
        "verwachtingen zijn, zodat niemand aan het eind verrast wordt.",
        "The onboarding check-in helps a new colleague settle in. After 30, 60 and 90 days "
        "and at the end of probation you look together at how it is going, what is still "
        "missing and what is expected, so nobody is surprised at the end.",
    ),
    leader_prepares=_t(
        "Vraag een collega of buddy hoe het inwerken loopt en kijk of het werkplekje, de "
        "toegang en de introducties geregeld zijn. Bedenk wat je over de proeftijd wilt "
        "zeggen.",
        "Ask a colleague or buddy how onboarding is going, and check that workplace, access "
        "and introductions are in place. Think about what you want to say about probation.",
    ),
    employee_prepares=_t(
        "De nieuwe collega noteert wat hielp, wat nog onduidelijk is en wat anders is dan "
        "verwacht.",
        "The new colleague notes what helped, what is still unclear and what differs from "
        "what they expected.",
    ),
    opening=_t(
        "Zeg dat het normaal is dat nog niet alles duidelijk is en dat vragen stellen hier "
        "juist gewaardeerd wordt. Nieuwe mensen zien dingen die anderen niet meer zien: vraag "
        "daar uitdrukkelijk naar.",
        "Say that it is normal not to have everything clear yet and that asking questions is "
        "valued here. New people see things others no longer notice: ask about that "
        "explicitly.",
    ),
    avoid=_list(
        (
            "Pas aan het eind van de proeftijd zeggen dat iets niet goed gaat.",
            "Waiting until the end of probation to say something is not going well.",
        ),
        (
            "Oordelen over iemands tempo zonder te weten wat er nog ontbreekt.",
            "Judging someone's pace without knowing what is still missing.",
        ),
    ),
    questions=_list(
        (
            "Hoe voel je je tot nu toe in het team?",
            "How do you feel in the team so far?",
        ),
        (
            "Wat heeft je de afgelopen weken het meest geholpen?",
            "What has helped you most in the past few weeks?",
        ),
        (
            "Wat is anders dan je had verwacht?",
            "What is different from what you expected?",
        ),
        (
            "Wat mis je nog om je werk goed te kunnen doen?",
            "What are you still missing to do your work well?",
        ),
        (
            "Wat valt je op met een frisse blik?",
            "What strikes you, looking with fresh eyes?",
        ),
    ),
    follow_ups=_list(
        ("Bij wie kun je daarvoor terecht?", "Who can you go to for that?"),
        ("Wat zou je nu al willen veranderen?", "What would you already like to change?"),
        ("Waar twijfel je nog over?", "What are you still unsure about?"),
    ),
    listening=_t(
        "Nieuwe collega's zeggen niet snel dat iets tegenvalt. Luister naar wat voorzichtig "
        'benoemd wordt, vat samen en vraag door met "en verder?".',
        "New colleagues rarely say straight out that something disappoints them. Listen for "
        'what is named cautiously, sum up, and ask "what else?".',
    ),
    closing=_t(
        "Spreek af wat er de komende periode geregeld wordt en door wie, met een datum. Zeg "
        "duidelijk hoe het er voor de proeftijd voor staat, zodat de nieuwe collega weet waar "
        "hij of zij aan toe is.",
        "Agree what will be arranged in the coming period and by whom, with a date. Say "
        "clearly where things stand regarding probation, so the new colleague knows where "
        "they are.",
    ),
)

_ABSENCE = ConversationGuide(
    type_key="absence",
    purpose=_t(
        "Het verzuimgesprek is er om contact te houden tijdens ziekte en het werk te regelen. "
        "Je vraagt alleen wat een werkgever mag vragen: bereikbaarheid, de verwachte duur, "
        "lopende afspraken en werk, en of een ander aansprakelijk is. Alles over de ziekte "
        "zelf hoort bij de bedrijfsarts.",
        "The absence conversation keeps contact during sick leave and arranges the work. You "
        "ask only what an employer may ask: how to reach someone, the expected duration, "
        "appointments and work in progress, and whether another party is liable. Everything "
        "about the illness itself belongs with the occupational physician.",
    ),
    leader_prepares=_t(
        "Zorg dat je weet welk werk en welke afspraken overgenomen moeten worden. Lees de "
        "vragen: stel alleen die, en zet niets anders in het verslag.",
        "Make sure you know which work and appointments need to be taken over. Read the "
        "questions: ask only those, and put nothing else in the record.",
    ),
    employee_prepares=_t(
        "Je medewerker hoeft niets voor te bereiden. Het helpt als hij of zij weet welke "
        "afspraken en taken er lopen.",
        "Your employee need not prepare anything. It helps if they know which appointments "
        "and tasks are in progress.",
    ),
    opening=_t(
        'Begin met oprechte belangstelling ("Fijn dat we even kunnen bellen, hoe red je '
        'het?") en zeg dat je alleen het werk wilt regelen en contact wilt houden. Vertel '
        "dat alles over de ziekte zelf bij de bedrijfsarts hoort en dat je medewerker daar "
        "niets over hoeft te zeggen.",
        'Start with sincere concern ("Good that we can talk for a moment, how are you '
        'managing?") and say you only want to arrange the work and stay in touch. Explain '
        "that anything about the illness itself belongs with the occupational physician and "
        "that your employee need not say anything about it.",
    ),
    avoid=_list(
        (
            "Nooit vragen naar de diagnose, klachten, behandeling of medicijnen, ook niet "
            "goedbedoeld; wat je medewerker er zelf over vertelt, schrijf je niet op.",
            "Never ask about the diagnosis, symptoms, treatment or medication, not even "
            "kindly meant; what your employee tells you about it, you do not write down.",
        ),
        (
            "Druk zetten om snel terug te komen.",
            "Putting pressure on someone to come back quickly.",
        ),
        (
            "Collega's vertellen wat er aan de hand is; zeg alleen dat iemand afwezig is.",
            "Telling colleagues what is going on; only say that someone is away.",
        ),
    ),
    questions=_list(
        (
            "Op welk nummer en op welke momenten kan ik je het beste bereiken?",
            "On which number and at which times can I best reach you?",
        ),
        (
            "Hoe lang denk je ongeveer afwezig te zijn?",
            "Roughly how long do you expect to be away?",
        ),
        (
            "Welke afspraken en taken moeten we overnemen of verzetten?",
            "Which appointments and tasks should we take over or move?",
        ),
        (
            "Wat heb je van ons nodig zolang je afwezig bent?",
            "What do you need from us while you are away?",
        ),
        (
            "Wanneer en hoe spreken we elkaar weer?",
            "When and how shall we talk next?",
        ),
    ),
    follow_ups=_list(
        ("Wie kan dat het beste overnemen?", "Who could best take that over?"),
        ("Hoe wil je dat we contact houden?", "How would you like us to keep in touch?"),
    ),
    listening=_t(
        "Luister naar wat je medewerker nodig heeft om te herstellen in rust, niet naar "
        "details van de ziekte. Vat de afspraken over werk en contact samen en laat al het "
        "andere weg.",
        "Listen for what your employee needs to recover in peace, not for details of the "
        "illness. Sum up the agreements about work and contact and leave out everything "
        "else.",
    ),
    closing=_t(
        "Spreek concreet af wie welk werk overneemt en wanneer jullie weer contact hebben. "
        "Noem de bedrijfsarts als de plek voor vragen over gezondheid en wens je medewerker "
        "beterschap.",
        "Agree concretely who takes over which work and when you will next be in touch. Name "
        "the occupational physician as the place for questions about health, and wish your "
        "employee a good recovery.",
    ),
)


def built_in_guides() -> tuple[ConversationGuide, ...]:
    """The guides of the nine built-in types, in catalog order, complete in nl and en."""
    return (
        _CHECK_IN,
        _GROWTH_REVIEW,
        _APPRAISAL,
        _DEVELOPMENT,
        _STAY_INTERVIEW,
        _EXIT_INTERVIEW,
        _WELLBEING,
        _ONBOARDING,
        _ABSENCE,
    )
