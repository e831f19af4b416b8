#!/usr/bin/env python3
"""Held-out PII evaluation set for trainready (independent of labelled.jsonl).

Every message below was written by hand, one by one, in its own register (forum posts,
therapist replies, texting, forms, markdown, mixed languages). Nothing is filled from a
template. PII values are marked inline as [[KIND|value]]; the script strips the markup and
computes code-point offsets. Check digits (Luhn, IBAN mod-97 and national keys, NHS mod-11,
ISBN-13) were computed once and written into the text; the checker below re-verifies them.

Python 3 stdlib only. Deterministic: records are shuffled with random.Random(HELDOUT_SEED)
and the output is byte-identical on every run and for any PYTHONHASHSEED.

Usage: python3 eval/pii/make_heldout.py   (writes eval/pii/heldout.jsonl after all checks pass)
"""
import json
import os
import random
import re
import sys
from collections import Counter

HELDOUT_SEED = 4242019
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "heldout.jsonl")

KINDS = ["EMAIL", "PHONE", "SSN", "CREDIT_CARD", "IP_ADDRESS", "URL", "IBAN", "DATE_OF_BIRTH",
         "STREET_ADDRESS", "ZIP_CODE", "AGE_OVER_89", "HANDLE", "RECORD_NUMBER", "PERSON"]

# --------------------------------------------------------------------------------------------
# Positive records. Each is one hand-written message; [[KIND|value]] marks a span.
# --------------------------------------------------------------------------------------------
POSITIVE = [
    # ---- long forum posts --------------------------------------------------------------
    "Long time lurker, first post. I’ve been on the waitlist at the county clinic since February "
    "and honestly it's wearing me down. They keep saying someone will call but my voicemail is full "
    "of nothing. If anyone from the Portland group is reading this, my number changed, it's now "
    "[[PHONE|(503) 555-0147]] and the old one goes to my ex. Sorry for the wall of text, I just "
    "needed to put it somewhere.",

    "ok so update on the insurance nightmare. they denied the claim AGAIN even though I gave them "
    "everything: policy number [[RECORD_NUMBER|PL-2291-0043]], my date of birth "
    "([[DATE_OF_BIRTH|March 3, 1979]]), the provider’s NPI, all of it. The rep said to fax the appeal "
    "to [[PHONE|1-800-555-0176]]. who even has a fax machine anymore?? I'm so done. Going to bed.",

    "We finally moved Mom into the new place last weekend. She is [[AGE_OVER_89|91]] and still "
    "sharper than me on most days, but the stairs at the old house were getting dangerous. If "
    "anyone wants to send her a card, the address is\n[[STREET_ADDRESS|2210 Maple Grove Rd]], "
    "Unit 14\nMadison, WI [[ZIP_CODE|53704]]\nShe would love that. Thank you all for the support "
    "this year.",

    "I don’t really know how to start this. My brother [[PERSON|Elliot]] stopped answering his phone "
    "about two weeks ago and the last thing he posted was a photo of the bridge near his apartment. "
    "The police did a welfare check and said he's 'fine' but he won't talk to any of us. If anyone "
    "in the Denver area knows him, his number is [[PHONE|720-555-0142]], please just text him "
    "something kind. I'm at the end of my rope.",

    "Trigger warning: money stuff. Last month I found out my mom had opened two credit cards in my "
    "name using my SSN ([[SSN|192-53-2064]]) and my old address, [[STREET_ADDRESS|731 Cedar Hollow Dr]] "
    "in Raleigh. I've frozen my credit and filed a report with the police. The worst part isn't the "
    "debt, it's that I still want to protect her. Is that normal?",

    "Three years ago today I was sitting in an ER hallway for nine hours. Now I run a small peer "
    "group on Tuesdays and I'm writing this from the library. If you're in a dark place, the group "
    "page is [[URL|https://forum.example.org/t/tuesday-peer-circle/2291]] and you can message me "
    "there or on Discord ([[HANDLE|@moth_and_lamp]]). It gets better, slowly, and then all at once.",

    "My grandfather was [[AGE_OVER_89|99]] when he died last spring, and everyone keeps saying 'well, "
    "he had a long life' like that makes it hurt less. He taught me to fish, to swear in Polish and "
    "to never trust a man who doesn't tip. I'm 31 and I still feel like a kid who lost his best "
    "friend. Grief doesn't care about age.",

    "Someone in the last thread asked how to get records from an old therapist, so here’s what "
    "worked for me. I wrote to the practice, gave my full name, date of birth "
    "([[DATE_OF_BIRTH|09/30/1990]]) and my old client ID ([[RECORD_NUMBER|CL-30917]]), and asked "
    "for everything under HIPAA. It took 28 days. Don't let them charge you more than a few dollars "
    "for electronic copies.",

    # ---- therapist / clinician replies -------------------------------------------------
    "Hi [[PERSON|Tomás]],\n\nThank you for sharing that with me. What you're describing sounds "
    "exhausting, and it makes sense that you'd want a break from the group chat. Before our next "
    "session, could you fill in the mood log I sent? If anything feels unsafe before then, please "
    "call me at [[PHONE|(614) 555-0139 ext. 22]] or use the crisis line.\n\nWarmly,\n"
    "[[PERSON|Naomi Feld]], LCSW",

    "Thanks for reaching out, [[PERSON|Marcus]]. I hear how scary this week has been. I'd like to "
    "move our Thursday session to 4 pm if that works; I've sent a new link to "
    "[[EMAIL|marcus.t.bell@example.com]]. In the meantime, try the grounding exercise we practised. "
    "Take care of yourself,\n[[PERSON|Anjali]]",

    "Session note (draft): Client is a [[AGE_OVER_89|98]] y/o widower referred by his GP for low "
    "mood after bereavement. Patient ID: [[RECORD_NUMBER|5520917]]. PHQ-9 today 14, down from 19. "
    "Plan: continue weekly sessions, review in 6 weeks.",

    "Dear Ms. [[PERSON|Abernathy]],\n\nI am writing to confirm that your daughter attended all eight "
    "sessions of the adolescent anxiety group. Please don't hesitate to contact me directly on "
    "[[PHONE|020 7946 0183]] if you have any questions.\n\nKind regards,\nDr. [[PERSON|Helen Achebe]]",

    "Appointment confirmed for Tuesday at 3:30 pm with Dr. [[PERSON|Elif Aydın]]. Questions? Call "
    "[[PHONE|(919) 555-0106 x204]].",

    "Hi [[PERSON|Ines]],\nhere are my details for the referral:\n• [[PERSON|Grace O'Connell]]\n"
    "• born [[DATE_OF_BIRTH|1987-03-22]]\n• mobile [[PHONE|+44 7700 900 831]]\n"
    "• email [[EMAIL|grace.oc@example.co.uk]]\nThanks so much,\n[[PERSON|Grace]]",

    "Good morning,\n\nThe assessment for [[PERSON|Yusuf Demir]] (NHS number [[RECORD_NUMBER|296 659 4497]]) "
    "has been moved to the Leeds site. Please ring the duty worker on [[PHONE|0113 496 0274]] "
    "before 5pm.\n\nBest wishes,\n[[PERSON|Claire]] (admin)",

    "> On Mon, [[PERSON|Rachel Kim]] wrote:\n> can you send me the group link?\n\nHere it is: "
    "[[URL|https://meet.example.com/grp-wed-7pm]] (see you tomorrow!)",

    # ---- texting style -----------------------------------------------------------------
    "hey its [[PERSON|mara]] lol. u can txt me at [[PHONE|503 555 0129]] whenever, im up late anyway",

    "my cell's [[PHONE|6145550153]] if the app dies again",

    "call/text [[PHONE|+1 (206) 555-0117]] anytime. this is my burner, i dont give out my real one",

    "pls dont judge but i maxed out [[CREDIT_CARD|5548579584052204]] on a shopping binge after the "
    "breakup and now i cant sleep",

    "ssn is [[SSN|745 17 5124]] if u need it for the sliding scale paperwork",

    "what's ur zip? mine's [[ZIP_CODE|27601]], i wanna see if ur therapist takes clients out here",

    "she's [[AGE_OVER_89|90]] now can u believe it. i still remember her 80th party",

    "meet me outside [[STREET_ADDRESS|19 Elm Ct]] at 6? its the blue house",

    "dob [[DATE_OF_BIRTH|1/2/01]] if the pharmacy asks, they always get it wrong",

    "my son's social is [[SSN|213 16 7856]] and his date of birth is [[DATE_OF_BIRTH|6/2/2011]]",

    "sorry for the late reply!! my number is [[PHONE|0491 570 156]] (AU) and my insta is "
    "[[HANDLE|@saltwater.sadie]]",

    "snap: [[HANDLE|@jay_k04]] hmu if u need someone to talk to tonight",

    "email me at [[EMAIL|quiet_owl_88@mail.example.net]]!! i check it more than my phone",

    "xoxo [[PERSON|bree]]",

    "here's my number: [[PHONE|503.555.0112 ext 7]] (that's my desk at work)",

    "Call me: [[PHONE|555-0121]]",

    "my sister's number is [[PHONE|503-555-0198]], she knows everything about my meds",

    "dad's [[AGE_OVER_89|95]], mum's 88, and im the only one of the kids who lives nearby",

    "ip: [[IP_ADDRESS|10.0.4.17]] (work vpn). is my employer seeing that im on a therapy site??",

    "[[PHONE|+15125550184]] is the number on my profile, ignore the old one",

    "[[PERSON|Priya]] here, just wanted to say the breathing exercise from last week actually helped",

    # ---- forms --------------------------------------------------------------------------
    "Name: [[PERSON|Rosalind Achterberg]]\nDOB: [[DATE_OF_BIRTH|04/17/1986]]\nAddress: "
    "[[STREET_ADDRESS|4127 N. Alder Ave]]\nTucson, AZ [[ZIP_CODE|85719]]\nPhone: [[PHONE|520-555-0188]]",

    "Patient: [[PERSON|Delia Marsh]]\nSocial Security No.: [[SSN|327-06-4904]]\nMRN: "
    "[[RECORD_NUMBER|00482913]]",

    "Formulario de admisión\nNombre: [[PERSON|Alejandro Ruiz]]\nFecha de nacimiento: "
    "[[DATE_OF_BIRTH|14/09/1991]]\nTeléfono: [[PHONE|+34 611 482 309]]",

    "Client d.o.b. [[DATE_OF_BIRTH|11-Dec-1975]] / MRN [[RECORD_NUMBER|77-40192]] / Medicaid ID "
    "[[RECORD_NUMBER|98123445T]]",

    "Bankverbindung\nKontoinhaber: [[PERSON|Matthias Krüger]]\nIBAN: [[IBAN|DE17 2687 5361 2304 6385 43]]",

    "IBAN: [[IBAN|GB70NWBK29189200734082]]\nAccount name: [[PERSON|Harriet Okafor]]",

    "From: [[PERSON|Marisol Vega]] <[[EMAIL|marisol.vega@example.com]]>\nSubject: can't make "
    "Thursday\n\nSorry, migraine again.",

    "Emergency contacts (for my safety plan):\n1. my aunt [[PERSON|Rosie]]: [[PHONE|(614) 555-0160]]\n"
    "2. [[PERSON|Dev]] (best friend): [[PHONE|07700 900 518]]\n3. Samaritans: 116 123",

    "Contact sheet (please don't share):\n| name | phone | email |\n|---|---|---|\n"
    "| [[PERSON|Kai Nakamura]] | [[PHONE|+1 720 555 0163]] | [[EMAIL|kai.n@example.net]] |\n"
    "| [[PERSON|Beatriz Lima]] | [[PHONE|720.555.0191]] | [[EMAIL|bea_lima92@example.net]] |",

    "Please mail the forms to:\n[[PERSON|Jordan Pike]]\n[[STREET_ADDRESS|88 Willow Bend Rd]]\n"
    "Burlington, VT [[ZIP_CODE|05401]]",

    "[[STREET_ADDRESS|5531 Martin Luther King Jr. Way]]\nOakland, CA [[ZIP_CODE|94609]]",

    "出生日期：[[DATE_OF_BIRTH|1992-11-08]]\n病历号：[[RECORD_NUMBER|MR-660128]]",

    # ---- markdown -----------------------------------------------------------------------
    "**Things I need to bring to intake:**\n- insurance card (member ID "
    "[[RECORD_NUMBER|XKJ884201377]])\n- list of meds: 50 mg sertraline, 0.5 mg clonazepam as needed\n"
    "- referral letter from Dr. [[PERSON|Okonkwo]]\n- snacks for the waiting room",

    "[my grief journal]([[URL|https://blog.example.com/posts/grief?page=2]]) is where I put the "
    "stuff I can't say out loud.",

    "## Resources that helped me\n1. [[URL|www.example.net/blog/one-year]]\n"
    "2. the YouTube channel [[HANDLE|@TheSlowRecoveryChannel]]\n3. my therapist, honestly",

    "> **Update:** my new email is [[EMAIL|J.Okafor@Example.org]]. Please use that for anything "
    "about the housing referral.",

    "`Login from` [[IP_ADDRESS|198.51.100.23]] `and` [[IP_ADDRESS|192.0.2.201]]: neither is me. "
    "Someone's in my account and I feel sick.",

    # ---- mixed languages ----------------------------------------------------------------
    "Hola a todos 🙂 me llamo [[PERSON|Lucía Ferrer]] y es mi primera vez aquí. Mi terapeuta me "
    "recomendó este foro. Si alguien quiere hablar en español, mi correo es "
    "[[EMAIL|lucia.ferrer.g@example.es]], gracias por leer.",

    "Guten Abend. Ich bin [[PERSON|Jonas]], 34, und seit dem Umzug nach Hamburg fühle ich mich "
    "ziemlich allein. Meine Nummer: [[PHONE|040 66969 212]]. Schreibt mir gern, auch auf Englisch.",

    "Bonjour, je m'appelle [[PERSON|Camille Dubois]]. Mon IBAN pour le remboursement de la séance : "
    "[[IBAN|FR76 3611 7587 3893 8008 5546 016]]. Merci beaucoup !",

    "我叫[[PERSON|李娜]]，最近压力很大。我的邮箱是 [[EMAIL|lina.study@example.cn]]，如果有人愿意聊聊的话。",

    "Bonjour Dr. [[PERSON|Lefèvre]], je vous laisse mon numéro : [[PHONE|06 39 98 21 77]]. "
    "Bonne soirée, [[PERSON|Théo]]",

    "Ruf mich an unter [[PHONE|+49 69 90009 315]] oder schreib an [[EMAIL|lena.weber@example.de]]. "
    "LG, [[PERSON|Lena]]",

    "Tel. [[PHONE|+33 1 99 00 46 12]], c'est le cabinet de Mme [[PERSON|Roussel]].",

    "Kontakt: [[PHONE|030 23125 688]] (Praxis), Sprechzeiten Mo–Fr 8–12 Uhr",

    "Llámame al [[PHONE|+34 622 917 405]], estoy despierta y no puedo más.",

    "abuela tiene [[AGE_OVER_89|92]] años y todavía cocina para todos los domingos",

    "Opa ist jetzt [[AGE_OVER_89|97]] und lebt allein. My mom is 63 and worried sick about him.",

    "Número de seguro social: [[SSN|842-35-3356]] (es de mi mamá, la estoy ayudando con los papeles)",

    "Mi tarjeta es [[CREDIT_CARD|4863 5722 5389 0004]], ¿pueden cobrar la sesión de hoy?",

    "Meine Kreditkarte ([[CREDIT_CARD|2221 8574 4889 8256]]) wurde zweimal belastet, ich bin total "
    "überfordert.",

    "JCB [[CREDIT_CARD|3530-2160-6782-2069]] 信用卡被拒绝了，我该怎么办？",

    "Für die Überweisung: [[IBAN|AT97 6581 2135 9626 4375]], Verwendungszweck: Therapie März.",

    "mi IBAN es [[IBAN|ES10 5955 9854 9553 7202 1864]] por si quieres mandarme lo del concierto",

    "Ich habe im Router [[IP_ADDRESS|192.168.178.24]] gesehen, aber das Gerät kenne ich nicht.",

    "Lien vers le formulaire : [[URL|https://example.fr/inscription?lang=fr]]",

    "链接在这里：[[URL|https://example.cn/xinli/group]]",

    "Ich bin am [[DATE_OF_BIRTH|12.05.1988]] geboren, also bin ich jetzt 36 und fühle mich wie 60.",

    "Je suis né le [[DATE_OF_BIRTH|4 février 1979]] à Lyon, et chaque anniversaire est difficile.",

    "Dirección: [[STREET_ADDRESS|4410 East Camelback Rd]], Phoenix, AZ [[ZIP_CODE|85018]]",

    "Versichertennummer [[RECORD_NUMBER|K470923581]], Krankenkasse hat den Antrag abgelehnt.",

    # ---- other single-kind messages ------------------------------------------------------
    "[[EMAIL|ravi.kumar+support@example.org]] is the best way to reach me, I don't check Discord "
    "much anymore.",

    "If you want the worksheets, just ask and I'll send them. Reach me at "
    "[[EMAIL|SAM.HOLLOWAY@EXAMPLE.COM]]",

    "Send the referral to [[EMAIL|intake-team@clinic.example.org]] and mark it urgent, please.",

    "My therapist — Dr. [[PERSON|Amara Whitfield]] — says I catastrophize. She's probably right.",

    "Thanks for listening, everyone.\n\n— [[PERSON|Kwame]]",

    "Cheers,\n[[PERSON|Nikolai Petrov-Vance]]",

    "😔 lost my job today. just needed to tell someone. [[PERSON|Zoë]]",

    "Hey [[PERSON|Lou]]! Saw your post. You're not alone, I went through the same thing with my "
    "sponsor [[PERSON|Danny]] last year.",

    "If you're in the UK the group runs out of Leeds. Ring [[PERSON|Margaret]] on "
    "[[PHONE|0113 496 0953]] (landline, evenings only).",

    "Mrs. [[PERSON|Adeyemi]]'s direct line is [[PHONE|020 7946 0372]]; she handles the bereavement "
    "referrals.",

    "my work mobile is [[PHONE|+61 491 570 159]], text before calling pls",

    "🏳️‍🌈 new here! I'm [[PERSON|Sasha]] (they/them) and I'm mostly here to listen for now.",

    "👩‍👧 single mom of two, my name's [[PERSON|Keisha Brown]] and I haven't slept more than four "
    "hours in a row since March.",

    "my great-aunt turned [[AGE_OVER_89|100]] on Sunday!!! 🎉 the whole family flew in. I'm 27 and "
    "I got tired before she did",

    "Caring for a [[AGE_OVER_89|94]]-year-old is harder than anyone tells you.",

    "Grandpa (age [[AGE_OVER_89|96]]) keeps asking where Grandma went. How do you answer that?",

    "At [[AGE_OVER_89|103]], my neighbour still walks to the shop every morning. She says the secret "
    "is never retiring from gossip.",

    "I was the youngest in the group (19) and the oldest member was [[AGE_OVER_89|93]].",

    "So… the intake form wants my SSN ([[SSN|413-08-5674]]) and honestly I'm nervous putting that on "
    "paper.",

    "Can someone tell me if it's safe to give my social (#[[SSN|377-77-0065]]) to the online "
    "therapy app? They're asking for it before the first session.",

    "For the disability application: SSN [[SSN|507-75-3890]], case number [[RECORD_NUMBER|DI-4471-22]]. "
    "Still waiting.",

    "[[SSN|590-25-1464]] is the number they have on file, but the letter has a different one, which "
    "is probably why the payments stopped.",

    "I accidentally posted my SSN in the last thread ([[SSN|598-59-8973]]), can a mod please delete "
    "it?? panicking a bit",

    "W-2 shows SSN [[SSN|496-43-8741]] and I'm not sure whether the clinic needs it for the payment "
    "plan.",

    "I paid the copay with my card ending in 9387. Oh wait, the full thing is "
    "[[CREDIT_CARD|4597 7477 9294 9387]], exp 08/27. Does the portal show it went through?",

    "card: [[CREDIT_CARD|5175-2758-4166-8409]] cvv is on the back lol im not typing that",

    "ugh 🙃 someone used my Amex [[CREDIT_CARD|3455 442305 19143]] for a subscription I never signed up "
    "for and now I'm spiraling about money again.",

    "[[CREDIT_CARD|6011901489952930]]: can you charge the no-show fee to this one instead of the Visa?",

    "Diners Club no. [[CREDIT_CARD|3690 521789 3369]] was on the invoice, is that normal?",

    "For the retreat deposit I used [[CREDIT_CARD|6562 7108 5513 3584]] and the receipt says $150.00.",

    "Old card on file: [[CREDIT_CARD|4480300275500]] (expired). New: "
    "[[CREDIT_CARD|4682 3677 2523 5345]].",

    "Please transfer the group fee to [[IBAN|DE62 1012 1300 3234 6658 41]], reference 'Gruppe "
    "Mittwoch'.",

    "The refund went to my old account ([[IBAN|NL30 INGB 5278 9857 63]]) instead of "
    "[[IBAN|NL05RABO1910298565]]. Hours on the phone with the bank and I'm just so tired.",

    "IT IBAN [[IBAN|IT80M7604418809803024313070]]: the Italian clinic asked for payment before the "
    "first visit.",

    "[[IBAN|BE45 3594 3932 8989]] is the association's account; donations go straight to the "
    "helpline.",

    "Swiss account for the sliding-scale fund: [[IBAN|CH77 3442 3685 0771 7557 4]].",

    "Hi, could you refund to [[IBAN|IE38AIBK98518823305852]]? Thanks, [[PERSON|Siobhán]]",

    "my mate said to just send it to his account lol [[IBAN|GB05 MIDL 8396 5479 7913 45]]",

    "📶 The telehealth app keeps dropping. My router says my IP is [[IP_ADDRESS|203.0.113.57]] if that "
    "helps support figure it out.",

    "IPv6 [[IP_ADDRESS|2001:db8:3c4d:15::1a2f]] kept showing up in the sign-in alerts.",

    "[[IP_ADDRESS|fe80::9c2e:4bff:fe1a:7d03]] was listed as the device address in the error report.",

    "My ex knows my IP ([[IP_ADDRESS|172.16.31.240]]). Can he find my address from that?",

    "blocked [[IP_ADDRESS|2001:0db8:0000:0042:0000:8a2e:0370:7334]] on the forum, still getting DMs",

    "the server at [[IP_ADDRESS|203.0.113.4]] keeps timing out when I try to upload my journal",

    "This thread helped me a lot: [[URL|https://forum.example.org/t/cant-sleep-after-loss/4412]]",

    "Group meets Thursdays, details at [[URL|quietharbor.net/meetings]].",

    "old site was [[URL|http://203.0.113.9/intake/form]] but they moved everything to the new portal",

    "Check out [[URL|HTTPS://EXAMPLE.ORG/Resources#crisis]]!",

    "my personal page is [[URL|example.com/~jules]] but I haven't updated it since 2019",

    "Does anyone know if [[URL|https://www.example.com/self-help/cbt-worksheets]] is legit? It asks "
    "for a lot of info.",

    "born [[DATE_OF_BIRTH|2 Feb 1999]], so yeah I'm a 'real adult' now apparently",

    "my birthday is [[DATE_OF_BIRTH|October 9th, 1994]] and every year it gets harder because that's "
    "also the week my brother died",

    "My daughter was born on the [[DATE_OF_BIRTH|22nd of June 2003]] and I still remember the "
    "nurse's face when they told me about the complications.",

    "Birthdate [[DATE_OF_BIRTH|2000.07.15]], place of birth Cork.",

    "we're at [[STREET_ADDRESS|1209 SE Hawthorne Blvd]], Portland, OR [[ZIP_CODE|97214]], the door "
    "is round the back",

    "New office: [[STREET_ADDRESS|2400 Lakeshore Drive]], Suite 300, Austin, TX "
    "[[ZIP_CODE|78746-1203]]. Parking is free after 5.",

    "I live at [[STREET_ADDRESS|310 Pine Street]] and the neighbours can hear everything through the "
    "walls, so I can't do video sessions at home.",

    "Address on my license is still [[STREET_ADDRESS|1020 W 42nd St]], Minneapolis, MN "
    "[[ZIP_CODE|55409]], even though I moved out after the divorce.",

    "Send it to [[STREET_ADDRESS|77 Old Mill Lane]], Apt 2C\nProvidence, RI [[ZIP_CODE|02906]]\n"
    "Thanks!!",

    "The shelter is at [[STREET_ADDRESS|612 N. Lamar Blvd]]. Don't post the ZIP please, it's "
    "supposed to be confidential.",

    "Naïve question maybe, but zip code is [[ZIP_CODE|43215]] if you're trying to find a therapist near me.",

    "We relocated to [[STREET_ADDRESS|8 Quarry Hill Road]] in the spring and the quiet is helping.",

    "postal code [[ZIP_CODE|83702]], Boise, in case the pharmacy asks",

    "been posting my recovery art on insta as [[HANDLE|@slow.bloom.studio]] if anyone wants to "
    "follow along 🌱",

    "find me on tiktok → [[HANDLE|@notokay_butokay]] (mostly cat videos tbh)",

    "twitter: [[HANDLE|@GriefIsLove_]]\nthreads: [[HANDLE|@grief.is.love]]",

    "I got reported by [[HANDLE|@user_20931]] on Threads for talking about my recovery?? I wasn't "
    "even being graphic",

    "follow [[HANDLE|@dr.mira.talks]] on instagram, she's a psychiatrist who posts myth-busting stuff",

    "shoutout to [[HANDLE|@_quietnights]] for the DMs last night, you kept me going 💛",

    "NHS number [[RECORD_NUMBER|003 544 5351]]. The GP surgery lost my referral again.",

    "My NHS no. is [[RECORD_NUMBER|7376258159]] and my mobile is [[PHONE|07700 900412]]",

    "claim number [[RECORD_NUMBER|2024-118820]] is still 'under review' after 9 weeks",

    "chart no. [[RECORD_NUMBER|10-88-231]], ward 4, if you're visiting",

    "medical record #: [[RECORD_NUMBER|A-77120-3]] (they made me write it on every page)",

    "MRN# [[RECORD_NUMBER|004-551-902]]",

    "Please quote case number [[RECORD_NUMBER|CW-2023-0418]] when you call the social worker.",
]

# --------------------------------------------------------------------------------------------
# Hard negatives: (family, text). No spans.
# --------------------------------------------------------------------------------------------
NEGATIVE = [
    # version numbers
    ("version", "Updated the app to v4.12.1 and now the mood tracker won't load my entries from last month."),
    ("version", "Is anyone else on iOS 17.4.1 having the journaling widget crash?"),
    ("version", "The meditation app changelog says 2.0.3 fixed the notification bug but I'm still getting 3am pings."),
    ("version", "running Python 3.12.2, the export script fails at line 88"),
    ("version", "Chrome 122.0.6261.94 keeps logging me out of the telehealth portal."),
    ("version", "firmware 1.18.204 on the sleep tracker, still no fix for the heart-rate gaps"),
    ("version", "Version 3.1 of the workbook has the new chapter on grief."),
    # dates that are not about birth
    ("non_birth_date", "My next appointment is on 14 March 2025 and I'm already dreading it."),
    ("non_birth_date", "It's been exactly a year since 02/11/2023, the day I checked myself in."),
    ("non_birth_date", "Sober since 2021-08-30 and counting 💪"),
    ("non_birth_date", "The group restarts on Sept 5, 2024 after the summer break."),
    ("non_birth_date", "Le rendez-vous est fixé au 12 janvier 2025."),
    ("non_birth_date", "Termin am 03.04.2025 um 14 Uhr, bitte pünktlich sein."),
    ("non_birth_date", "Diagnosed on June 9th, 2016. Still figuring it out."),
    ("non_birth_date", "Dad passed on 17.10.2019 and the anniversary is next week. It never gets easier."),
    ("non_birth_date", "下次复诊是2025-01-20，我有点紧张。"),
    # ages under 90
    ("age_under_90", "I'm 17 and my parents don't believe anxiety is real."),
    ("age_under_90", "my grandpa is 89 and still drives, which terrifies me"),
    ("age_under_90", "She turned 45 last week and said it was the first birthday she didn't cry."),
    ("age_under_90", "As a 62-year-old man I never thought I'd be in therapy."),
    ("age_under_90", "Im 23 f, been struggling w panic attacks since i was 15"),
    ("age_under_90", "Tengo 31 años y es la primera vez que pido ayuda."),
    ("age_under_90", "Meine Mutter ist 78 und will keine Hilfe annehmen."),
    ("age_under_90", "At 54 I finally got diagnosed with ADHD."),
    # prices
    ("price", "The session costs $180 and my insurance covers none of it."),
    ("price", "Sliding scale goes down to $40, which is still a lot when you're unemployed."),
    ("price", "Une séance coûte 60 €, remboursée à 70 %."),
    ("price", "I spent £1,249.99 on a course I never opened. Impulse spending is my worst symptom."),
    ("price", "copay went from $25 to $45 this year wtf"),
    ("price", "Das Buch kostet 24,90 € – lohnt sich das?"),
    ("price", "¥5,000 per session is too much for a student."),
    # medication doses
    ("dosage", "Started 50mg sertraline today, anyone else get nausea the first week?"),
    ("dosage", "My psychiatrist bumped me from 150 mg to 225 mg of venlafaxine."),
    ("dosage", "taking 0.5mg lorazepam as needed but trying not to rely on it"),
    ("dosage", "Lithium 300 mg twice daily, level came back at 0.8 mmol/L."),
    ("dosage", "I take 1,000 IU vitamin D and 2 g of fish oil, no idea if it helps."),
    ("dosage", "Quetiapine 25 mg at night knocks me out for 12 hours."),
    ("dosage", "Escitalopram 10 mg → 20 mg, week 3, still foggy."),
    # order numbers
    ("order_number", "Order #4418203 for the weighted blanket still hasn't shipped."),
    ("order_number", "my amazon order 112-4471823-9906214 got cancelled lol"),
    ("order_number", "Order no. A7-22019: the journal arrived damaged."),
    ("order_number", "Bestellnummer 302-8841-77 ist immer noch nicht angekommen."),
    # tracking numbers
    ("tracking_number", "Tracking says 1Z 84A 7X9 03 1234 5678 is 'in transit' for 9 days now."),
    ("tracking_number", "USPS tracking 9400 1000 0000 0000 0000 00 hasn't moved since Monday."),
    ("tracking_number", "DHL: JD014600003812345679, supposedly out for delivery"),
    ("tracking_number", "tracking no. LX123456785DE, das Paket mit den Büchern"),
    # invoice numbers
    ("invoice_number", "Invoice INV-2024-0087 says I owe for a session I cancelled 48 hours ahead."),
    ("invoice_number", "Rechnungsnummer 2024/1187: kann mir jemand erklären, was Ziffer 861 bedeutet?"),
    ("invoice_number", "Facture n° F-55102 reçue aujourd'hui, je ne comprends pas le montant."),
    ("invoice_number", "the invoice (#88213) lists two sessions but I only went to one"),
    # room numbers
    ("room_number", "Group therapy moved to Room 214, second floor by the elevators."),
    ("room_number", "I was in room 7B on the psych ward for 11 days."),
    ("room_number", "Meet in conference room 3.12 after lunch."),
    ("room_number", "Salle 105, bâtiment C, au fond du couloir."),
    ("room_number", "Sie liegt jetzt in Zimmer 412 auf Station 3."),
    # page numbers
    ("page_number", "On page 112 of the DBT workbook there's a worksheet on radical acceptance."),
    ("page_number", "pp. 45–67 cover the chapter on cognitive distortions."),
    ("page_number", "Seite 88, Übung 4. Hat jemand die schon gemacht?"),
    ("page_number", "see p. 203, footnote 14"),
    ("page_number", "I'm only on page 9 and already crying"),
    # times
    ("time", "I wake up at 3:47 every single night."),
    ("time", "Session's at 14:30 CET, so 8:30 for me."),
    ("time", "took my meds at 07:15:22 according to the app log"),
    ("time", "the meeting runs 6–7:30pm, snacks provided"),
    ("time", "slept from 2am to 11am again and feel worse than before"),
    # scores
    ("score", "PHQ-9 went from 21 to 9 in three months!!"),
    ("score", "GAD-7 score: 16. Severe range, apparently."),
    ("score", "My ACE score is 6 and my therapist said that explains a lot."),
    ("score", "scored 34/40 on the Kessler K10"),
    ("score", "EPDS 14 at my 6-week postpartum check"),
    # numbers that look like phone numbers / IDs but are something else
    ("not_phone_number", "ISBN 978-1-60623-951-3 is the edition my therapist recommended."),
    ("not_phone_number", "This is case 2 of 10 in the workbook, the one about the firefighter."),
    ("not_phone_number", "Exercise 3 of 12: write a letter to your younger self."),
    ("not_phone_number", "Flight UA 2417 got delayed and I had a panic attack at the gate."),
    ("not_phone_number", "Serial number SN 4471-8820-3319 on the light therapy lamp, for the warranty."),
    ("not_phone_number", "Zoom meeting ID 853 2207 4416, passcode on the group calendar."),
    ("not_phone_number", "Model no. 555-0199-A on the white noise machine, if anyone wants the same one."),
    ("not_phone_number", "Step 4 of 12 is the moral inventory and I'm terrified of it."),
    # capitalised non-names after I'm
    ("im_not_name", "I'm Catholic and my family thinks therapy is for people without faith."),
    ("im_not_name", "I'm Bipolar II, diagnosed last year."),
    ("im_not_name", "I'm Exhausted. That's it, that's the post."),
    ("im_not_name", "I'm Autistic and completely burnt out."),
    ("im_not_name", "Hi, I'm New here and not sure where to post."),
    ("im_not_name", "I'm Canadian so the US hotline numbers don't help me."),
    ("im_not_name", "I'm Fine. Really. Stop asking."),
    ("im_not_name", "I'm Jewish and it's the first Yom Kippur without my mom."),
    # salutations without a name
    ("salutation_no_name", "Hi All,\n\nquick question about the Thursday group: is it still online?"),
    ("salutation_no_name", "Dear Team,\nplease cancel my appointment next week."),
    ("salutation_no_name", "Hello everyone! Long week, short post."),
    ("salutation_no_name", "Hey Friends,\njust checking in after a rough night."),
    ("salutation_no_name", "To Whom It May Concern,\nI am writing to request my records."),
    ("salutation_no_name", "Dear Admin, please delete my post from yesterday."),
    # public crisis lines (not personal)
    ("crisis_line", "If you're in the US, call or text 988."),
    ("crisis_line", "Text HOME to 741741 if you can't talk out loud."),
    ("crisis_line", "Samaritans are on 116 123, free from any phone."),
    ("crisis_line", "In an emergency dial 911, or 112 in Europe."),
    # numbers >= 90 that are not ages
    ("number_not_age", "I've been clean for 90 days today!"),
    ("number_not_age", "The intake was a 90-minute session and I cried for most of it."),
    ("number_not_age", "100 days without a drink. Didn't think I'd see this."),
    ("number_not_age", "my 120-day streak on the meditation app just reset 😭"),
]


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------
MARK = re.compile(r"\[\[([A-Z_0-9]+)\|(.*?)\]\]")


def parse(marked):
    out, spans, pos = [], [], 0
    n = 0
    for m in MARK.finditer(marked):
        out.append(marked[pos:m.start()])
        n += len(marked[pos:m.start()])
        kind, value = m.group(1), m.group(2)
        spans.append({"kind": kind, "start": n, "end": n + len(value)})
        out.append(value)
        n += len(value)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError("stray markup in: " + marked[:60])
    return text, spans


def build():
    recs = []
    for marked in POSITIVE:
        text, spans = parse(marked)
        recs.append({"text": text, "spans": spans})
    for fam, text in NEGATIVE:
        recs.append({"text": text, "spans": [], "negative": fam})
    random.Random(HELDOUT_SEED).shuffle(recs)
    out = []
    for i, r in enumerate(recs, 1):
        rec = {"id": "ho-%04d" % i, "text": r["text"], "spans": r["spans"]}
        if "negative" in r:
            rec["negative"] = r["negative"]
        out.append(rec)
    return out


# --------------------------------------------------------------------------------------------
# Checker
# --------------------------------------------------------------------------------------------
def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


IBAN_LEN = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "BE": 16, "AT": 20,
            "CH": 21, "IE": 22}


def iban_mod97(s):
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def iban_national_ok(s):
    cc, bban = s[:2], s[4:]
    if cc == "FR":
        b, g, c, k = bban[:5], bban[5:10], bban[10:21], bban[21:]
        return int(k) == 97 - ((89 * int(b) + 15 * int(g) + 3 * int(c)) % 97)
    if cc == "NL":
        a = bban[4:]
        return sum(int(x) * (10 - i) for i, x in enumerate(a)) % 11 == 0
    if cc == "ES":
        def dc(t, w=(1, 2, 4, 8, 5, 10, 9, 7, 3, 6)):
            d = 11 - sum(int(x) * y for x, y in zip(t, w)) % 11
            return {10: 1, 11: 0}.get(d, d)
        return (int(bban[8]) == dc("00" + bban[:8]) and int(bban[9]) == dc(bban[10:]))
    if cc == "IT":
        odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22,
               25, 24, 23]
        t = 0
        for i, ch in enumerate(bban[1:]):
            v = int(ch) if ch.isdigit() else ord(ch) - 65
            t += odd[v] if i % 2 == 0 else v
        return bban[0] == chr(65 + t % 26)
    if cc == "BE":
        k = int(bban[:10]) % 97 or 97
        return int(bban[10:]) == k
    return True


def iban_ok(value):
    s = value.replace(" ", "")
    return (re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s) is not None
            and IBAN_LEN.get(s[:2]) == len(s) and iban_mod97(s) and iban_national_ok(s))


def ssn_ok(value):
    m = re.fullmatch(r"(\d{3})([- ])(\d{2})\2(\d{4})", value)
    if not m:
        return False
    a, g, s = int(m.group(1)), int(m.group(3)), int(m.group(4))
    return a != 0 and a != 666 and a < 900 and g != 0 and s != 0


def nhs_ok(value):
    d = re.sub(r"\s", "", value)
    if not re.fullmatch(r"\d{10}", d):
        return False
    c = 11 - sum(int(x) * (10 - i) for i, x in enumerate(d[:9])) % 11
    c = 0 if c == 11 else c
    return c != 10 and c == int(d[9])


def ipv4_ok(v):
    parts = v.split(".")
    return (len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)
            and v != "0.0.0.0")


def ipv6_ok(v):
    if v.count("::") > 1 or not re.fullmatch(r"[0-9A-Fa-f:]+", v):
        return False
    if "::" in v:
        left, right = v.split("::")
        groups = [g for g in left.split(":") if g] + [g for g in right.split(":") if g]
        return len(groups) < 8 and all(1 <= len(g) <= 4 for g in groups)
    groups = v.split(":")
    return len(groups) == 8 and all(1 <= len(g) <= 4 for g in groups)


# ZIP prefix ranges (first three digits) for the states used after "City, ST".
ZIP3 = {"AZ": [(850, 865)], "WI": [(530, 549)], "VT": [(50, 59)], "OR": [(970, 979)],
        "TX": [(750, 799), (885, 885)], "CA": [(900, 961)], "MN": [(550, 567)],
        "RI": [(28, 29)], "OH": [(430, 459)], "NC": [(270, 289)], "ID": [(832, 838)]}

BAD_END = set(".,;:!?)]}\"'-–—")


def value_ok(kind, v, text, start):
    before = text[max(0, start - 25):start]
    if kind == "EMAIL":
        return re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", v)
    if kind == "PHONE":
        return 7 <= len(re.sub(r"\D", "", v)) <= 16 and re.fullmatch(r"[+(\d][\d ().\-x/a-z]*\d", v)
    if kind == "SSN":
        return ssn_ok(v)
    if kind == "CREDIT_CARD":
        d = re.sub(r"[ -]", "", v)
        return d.isdigit() and 13 <= len(d) <= 19 and luhn_ok(d)
    if kind == "IP_ADDRESS":
        return ipv4_ok(v) or ipv6_ok(v)
    if kind == "URL":
        return re.fullmatch(r"(?i)(https?://|www\.)?([a-z0-9.-]+\.[a-z]{2,}|\d{1,3}(\.\d{1,3}){3})"
                            r"(:\d+)?([/?#]\S*)?", v)
    if kind == "IBAN":
        return iban_ok(v)
    if kind == "DATE_OF_BIRTH":
        return re.search(r"\d{4}|\d+/\d+/\d{2}", v) and re.search(
            r"(?i)born|dob|d\.o\.b|birth|nacimiento|geboren|né|出生", text)
    if kind == "STREET_ADDRESS":
        return re.match(r"\d+[A-Z]? ", v)
    if kind == "ZIP_CODE":
        if not re.fullmatch(r"\d{5}(-\d{4})?", v):
            return False
        m = re.search(r", ([A-Z]{2}) $", before)
        if m:
            z = int(v[:3])
            return any(lo <= z <= hi for lo, hi in ZIP3[m.group(1)])
        return re.search(r"(?i)zip|postal", before)
    if kind == "AGE_OVER_89":
        return v.isdigit() and int(v) >= 90
    if kind == "HANDLE":
        return re.fullmatch(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?", v)
    if kind == "RECORD_NUMBER":
        if "NHS" in before:
            return nhs_ok(v)
        return re.search(r"\d", v)
    if kind == "PERSON":
        return not re.match(r"(Dr|Mr|Ms|Mrs|Mme)\.? ", v)
    return False


# Patterns that must never appear outside a labelled span.
SCAN = [
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), None),
    ("HANDLE", re.compile(r"(?<![\w@.])@[A-Za-z0-9_][\w.]*"), None),
    ("URL", re.compile(r"(?i)https?://\S+|www\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|"
                       r"blog|co\.uk|de|fr|es|cn|info)\b"), None),
    ("CREDIT_CARD", re.compile(r"(?<!\d)(?<!\d[ -])\d(?:[ -]?\d){12,18}(?![ -]?\d)"),
     lambda v: luhn_ok(re.sub(r"\D", "", v))),
    ("SSN", re.compile(r"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])"), ssn_ok),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
     lambda v: iban_mod97(v.replace(" ", ""))),
    ("IP_ADDRESS", re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]\d)"), ipv4_ok),
]


def check(records):
    errors = []
    person_names = set()
    for r in records:
        for s in r["spans"]:
            if s["kind"] == "PERSON":
                for tok in re.findall(r"\w+", r["text"][s["start"]:s["end"]]):
                    if len(tok) >= 3:
                        person_names.add(tok)
    ids = set()
    for r in records:
        rid, text, spans = r["id"], r["text"], r["spans"]
        if rid in ids:
            errors.append(f"{rid}: duplicate id")
        ids.add(rid)
        if "negative" in r:
            if spans:
                errors.append(f"{rid}: negative with spans")
        elif not spans:
            errors.append(f"{rid}: positive without spans")
        prev_end = -1
        for s in spans:
            k, a, b = s["kind"], s["start"], s["end"]
            v = text[a:b]
            if k not in KINDS:
                errors.append(f"{rid}: bad kind {k}")
            if not (0 <= a < b <= len(text)):
                errors.append(f"{rid}: bad offsets {a}-{b}")
                continue
            if a < prev_end:
                errors.append(f"{rid}: overlapping or unsorted spans")
            prev_end = b
            if v != v.strip() or v[-1] in BAD_END:
                errors.append(f"{rid}: untrimmed span {k} {v!r}")
            if not value_ok(k, v, text, a):
                errors.append(f"{rid}: invalid {k} {v!r}")

        def covered(a, b):
            return any(s["start"] < b and a < s["end"] for s in spans)

        for kind, rx, valid in SCAN:
            for m in rx.finditer(text):
                v = m.group(0).rstrip(".,;:!?)")
                if valid is not None and not valid(v):
                    continue
                if not covered(m.start(), m.start() + len(v)):
                    errors.append(f"{rid}: unlabelled {kind}-like {v!r}")
        for name in person_names:
            for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
                if not covered(m.start(), m.end()):
                    errors.append(f"{rid}: unlabelled name {name!r}")
    return errors


def stats(records):
    kinds = Counter(s["kind"] for r in records for s in r["spans"])
    fams = Counter(r["negative"] for r in records if "negative" in r)
    return kinds, fams


def check_minimums(records):
    errors = []
    kinds, fams = stats(records)
    for k in KINDS:
        need = 25 if k == "PERSON" else 20 if k == "PHONE" else 10
        if kinds[k] < need:
            errors.append(f"only {kinds[k]} {k} spans (need {need})")
    if sum(kinds.values()) < 200:
        errors.append("fewer than 200 spans")
    if sum(fams.values()) < 80:
        errors.append("fewer than 80 negatives")
    return errors


def main():
    records = build()
    errors = check(records) + check_minimums(records)
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        sys.exit(1)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(OUT, encoding="utf-8") as f:
        back = [json.loads(line) for line in f]
    if back != records or check(back):
        print("ERROR: re-read check failed", file=sys.stderr)
        sys.exit(1)

    kinds, fams = stats(records)
    pos = [r for r in records if r["spans"]]
    multi_kind = sum(1 for r in pos if len({s["kind"] for s in r["spans"]}) > 1)
    nonascii = sum(1 for r in pos if any(ord(c) > 127 for c in r["text"][:r["spans"][0]["start"]]))
    astral = sum(1 for r in pos if any(ord(c) > 0xFFFF for c in r["text"][:r["spans"][0]["start"]]))
    print(f"wrote {OUT}: {len(records)} records, {len(pos)} positive, {sum(fams.values())} negative, "
          f"{sum(kinds.values())} spans")
    print(f"records mixing kinds: {multi_kind}; non-ASCII before first span: {nonascii} "
          f"(astral: {astral}); multi-line positives: {sum(1 for r in pos if chr(10) in r['text'])}")
    print("\n| kind | spans |\n|---|---:|")
    for k in KINDS:
        print(f"| {k} | {kinds[k]} |")
    print(f"| **total** | **{sum(kinds.values())}** |")
    print("\n| negative family | records |\n|---|---:|")
    for fam, n in sorted(fams.items(), key=lambda x: (-x[1], x[0])):
        print(f"| {fam} | {n} |")
    print(f"| **total** | **{sum(fams.values())}** |")


if __name__ == "__main__":
    main()
