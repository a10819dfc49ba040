/// The words the screen looks for around identifiers and names, in the EU's
/// languages and Arabic, Russian and Turkish (docs/REPORTS.md §2.1). Words are
/// written lower-case, as the screen's tokens are (`a.k.a`, `pass-nr`: inner dots
/// and hyphens kept, a final dot dropped); a trailing `*` matches any ending.
enum ScreenLexicon {
    enum Cue: Sendable {
        /// An identity or travel document: a number shortly after is refused.
        case document
        /// Born: a full date shortly after is refused (a year alone when `yearSuffices`).
        case birth(yearSuffices: Bool)
        /// Written after the date: `1990 г.р.`, `1985 doğumlu`.
        case birthAfter
        case plate
        /// Written after the plate: `34 ABC 123 plakalı`.
        case plateAfter
        case phone
        case imei
        case account
        case wallet
        /// Mr, Frau, السيد: a capitalised word after it is probably a name (warning).
        case honorific
        /// named, alias, a.k.a., المدعو: what follows is probably a name (warning).
        case nameMarker
        /// son of, fils de: what follows is probably a name (warning).
        case kinship
        case street
    }

    struct Phrase: Sendable {
        let words: [String]
        let cue: Cue
    }

    static let phrases: [Phrase] = {
        var all: [Phrase] = []
        func add(_ cue: Cue, _ list: String) {
            for entry in list.split(separator: "|") {
                let words = entry.split(separator: " ").map(String.init)
                if !words.isEmpty { all.append(Phrase(words: words, cue: cue)) }
            }
        }
        add(
            .document,
            "passport|passports|passport-no|passport-number|id card|identity card|identity document|national id|national number|id number|id no|id-no|id-number|document number|document no|doc no|travel document number|residence permit|permit number|nin|ssn|social security number|laissez-passer|visa number|visa no"
                + "|reisepass|reisepass-nr|pass|pass-nr|passnummer|passnr|ausweis|ausweis-nr|ausweisnummer|personalausweis|aufenthaltstitel|dokumentennummer"
                + "|passeport|passeports|carte d'identité|cni|titre de séjour|numéro de passeport"
                + "|passaporto|carta d'identità|codice fiscale|permesso di soggiorno"
                + "|pasaporte|dni|nie|nif|documento de identidad|cédula|cedula"
                + "|passaporte|bilhete de identidade|cartão de cidadão"
                + "|paspoort|identiteitskaart|bsn|id-kaart"
                + "|paszport|paszportu|dowód osobisty|dowodu osobistego|nr dowodu|pesel"
                + "|cestovní pas|cestovný pas|občanský průkaz|občiansky preukaz|rodné číslo"
                + "|útlevél|útlevélszám|személyi igazolvány"
                + "|pașaport|pasaportul|carte de identitate|cnp"
                + "|лична карта|егн"
                + "|διαβατήριο|διαβατηρίου|δελτίο ταυτότητας|αδτ"
                + "|putovnica|putovnice|osobna iskaznica|oib|potni list|osebna izkaznica|emšo"
                + "|pasas|pase|isikukood|asmens kodas|personas kods"
                + "|passi|henkilötunnus|personnummer|cpr|passaport"
                + "|паспорт*|загранпаспорт*|удостоверени*|серия|серии|инн|снилс"
                + "|جواز|جواز سفر|جواز السفر|الجواز|رقم الجواز|هوية|الهوية|بطاقة الهوية|الرقم الوطني|رقم وطني|الرقم القومي|رقم قومي|البطاقة الشخصية|بطاقة شخصية"
                + "|pasaport|pasaportu|kimlik|kimlik no|kimlik numarası|tc kimlik|t.c|nüfus cüzdanı")
        add(
            .birth(yearSuffices: false),
            "born|born on|date of birth|dob|d.o.b|birth date|birthdate"
                + "|geboren|geb|geburtsdatum|né|née|né le|née le|date de naissance|nato|nata|nato il|nata il|data di nascita"
                + "|nacido|nacida|fecha de nacimiento|nascido|nascida|data de nascimento|geboortedatum|geboren op"
                + "|urodzony|urodzona|ur|data urodzenia|narozen|narozena|nar|datum narození|született|szül|születési"
                + "|născut|născută|data nașterii|γεννήθηκε|γεννημένος|γεννημένη|ημερομηνία γέννησης|rođen|rođena|datum rođenja"
                + "|syntynyt|syntymäaika|född|födelsedatum|født|fødselsdato|gimęs|gimusi|gimimo data|dzimis|dzimusi|sündinud|imwieled"
                + "|narodený|narodená|rojen|rojena|роден|родена|дата на раждане"
                + "|родился|родилась|дата рождения|рожден*"
                + "|تاريخ الميلاد|تاريخ ميلاد|ولد|ولدت|المولود|مولود|مواليد|من مواليد|doğum|doğum tarihi|doğumlu")
        add(.birth(yearSuffices: true), "مواليد|من مواليد")
        add(.birthAfter, "г.р|г р|года рождения|год рождения|doğumlu|geboren")
        add(
            .plate,
            "plate|plates|number plate|licence plate|license plate|registration plate"
                + "|kennzeichen|nummernschild|immatriculation|immatriculé|immatriculée|plaque|targa|targato|targata|matrícula|matricula"
                + "|kenteken|nummerplaat|rejestracyjny|rejestracyjnym|rejestracyjnych|госномер*|гос.номер*|номерной|номерным|номерами"
                + "|لوحة|رقم اللوحة|لوحات|plaka|plakalı|plakası|πινακίδα|πινακίδες|rendszám|rendszámú|spz|registrační|evidenčné|rekisterikilpi|registreringsnummer|nummerplade")
        add(.plateAfter, "plakalı|plakasıyla|rendszámú")
        add(
            .phone,
            "phone|telephone|tel|mobile|cell|cellphone|whatsapp|viber|telegram|signal|hotline|contact|phone number|mobile number"
                + "|telefon|telefonnummer|handy|handynummer|mobil|rufnummer|téléphone|portable|numéro|telefono|cellulare|teléfono|móvil|celular"
                + "|telemóvel|telefone|telefoon|mobiel|gsm|komórka|komórkowy|τηλέφωνο|τηλ|κινητό"
                + "|телефон*|тел|мобильн*|номер|ватсап|вайбер"
                + "|هاتف|الهاتف|رقم|جوال|الجوال|موبايل|واتساب|واتس|تلفون|تليفون|نقال|نقال"
                + "|cep|numara|numarası|numarasi")
        add(.imei, "imei|imei-nummer|imei-no")
        add(
            .account,
            "iban|account|account number|acct|konto|kontonummer|compte|rib|conto|cuenta|rekening|rachunek|mtcn"
                + "|счет|счёт|номер счета|حساب|رقم الحساب|hesap|hesap no|λογαριασμός|λογαριασμό")
        add(
            .wallet,
            "wallet|wallets|btc|bitcoin|usdt|tether|trc20|trc-20|erc20|erc-20|ethereum|eth|crypto|cryptocurrency|binance|tron"
                + "|محفظة|المحفظة|кошелек|кошелёк|криптокошел*|cüzdan|cüzdanı|portefeuille|portafoglio|monedero|billetera|carteira|πορτοφόλι|wallet-adresse")
        add(
            .honorific,
            "mr|mrs|ms|miss|dr|prof|herr|frau|m|mme|mlle|monsieur|madame|sig|sig.ra|signor|signora|sr|sra|señor|señora|don|doña|senhor|senhora"
                + "|pan|pani|dhr|mevr|κ|κος|κα|κύριος|κυρία|г-н|г-жа|господин|госпожа|гражданин|гражданка|bay|bayan|sayın"
                + "|hajj|hajji|haji|hadj|el-hadj|alhaji|al-hajj|sheikh|shaykh|cheikh|imam|mullah|colonel|col|capt|captain|major|sgt|sergeant|lieutenant|lt|commander|cdr|general|gen"
                + "|السيد|السيدة|الحاج|الحاجة|الشيخ|العقيد|النقيب|الرائد|المقدم|العميد|اللواء|الاستاذ|الدكتور")
        add(
            .nameMarker,
            "named|by the name of|under the name|alias|aliases|a.k.a|aka|also known as|known as|nicknamed|nickname|goes by|nom de guerre"
                + "|genannt|namens|mit dem namen|nommé|nommée|dénommé|dénommée|surnommé|surnommée|connu sous le nom de"
                + "|di nome|detto|soprannominato|conosciuto come|chiamato|llamado|llamada|apodado|apodada|conocido como"
                + "|chamado|chamada|conhecido como|vulgo|genaamd|bekend als|o imieniu|zwany|zwanego|pseudonim|ps"
                + "|по имени|по кличке|кличк*|известный как|известного как|прозвищ*|псевдоним*"
                + "|المدعو|المدعوة|يدعى|تدعى|الملقب|الملقبة|الملقب ب|المعروف باسم|المعروف ب|المكنى|اسمه|واسمه|باسم"
                + "|lakaplı|lakabı|adlı|isimli|namı diğer|diğer adıyla|kod adı|ονόματι|γνωστός ως|με το όνομα|επονομαζόμενος")
        add(
            .kinship,
            "son of|daughter of|wife of|husband of|brother of|sister of|father of|mother of|nephew of|cousin of"
                + "|fils de|fille de|figlio di|figlia di|hijo de|hija de|filho de|filha de|sohn von|tochter von|сын|дочь|γιος του|κόρη του"
                + "")
        add(
            .street,
            "street|st|road|rd|avenue|ave|lane|straße|strasse|str|weg|gasse|platz|rue|boulevard|bd|via|viale|piazza|corso|calle|avenida|plaza|rua"
                + "|straat|laan|ulica|ul|улица|ул|проспект|شارع|sokak|sok|sokağı|cadde|caddesi|cad|mahallesi|οδός|οδ")
        return all
    }()

    /// Compound street names written as one word (Hauptstraße, Kirchgasse).
    static let streetEndings = ["straße", "strasse", "gasse", "allee", "platz", "weg", "straat", "laan", "vej", "gatan", "gade", "caddesi", "sokak", "sokağı"]

    /// Phrases by their first word (exact words), and those whose first word is a stem.
    static let byFirstWord: [String: [Phrase]] = Dictionary(grouping: phrases.filter { !$0.words[0].hasSuffix("*") }, by: { $0.words[0] })
    static let stemPhrases: [Phrase] = phrases.filter { $0.words[0].hasSuffix("*") }
    /// The stem phrases with their first word's stem (without `*`) cut once: the
    /// screen tries every one against every word, and cutting the `*` there
    /// (a Substring, compared Character by Character) was its largest cost.
    static let stems: [(stem: String, phrase: Phrase)] = stemPhrases.map { (String($0.words[0].dropLast()), $0) }

    /// Words that say a number is an amount, a count or a measure, not an identifier.
    /// "at" and "dot" as an e-mail address is read aloud or written to slip
    /// past filters, in the screen's languages (`name at gmail dot com`).
    static let atWords: Set<String> = ["at", "arobase", "arroba", "chiocciola", "klammeraffe", "apenstaartje", "małpa", "malpa", "собака"]
    static let dotWords: Set<String> = ["dot", "point", "punkt", "punto", "ponto", "punt", "kropka", "nokta", "точка", "نقطة"]
    /// Generic top-level domains an address spelled out may end with (country codes are taken from ISO 3166-1).
    static let topLevelDomains: Set<String> = ["com", "net", "org", "info", "biz", "edu", "gov", "int", "mobi", "name", "pro", "online", "site", "xyz", "app"]

    static let quantityWords: Set<String> = [
        "eur", "euro", "euros", "usd", "dollar", "dollars", "lyd", "dinar", "dinars", "tnd", "egp", "pounds", "cfa", "xof", "xaf", "fcfa", "naira", "ngn",
        "dzd", "mad", "dirham", "dirhams", "rubles", "roubles", "try", "lira", "lire", "km", "kilometres", "kilometers", "m", "metres", "meters", "nm",
        "persons", "people", "migrants", "passengers", "boats", "vehicles", "trucks", "cars", "documents", "passports", "hours", "h", "days", "kg",
        "€", "$", "£", "دينار", "يورو", "دولار", "شخص", "евро", "долларов", "рублей", "человек", "kişi", "euroa", "evra", "ευρώ",
    ]

    /// Month names and their common abbreviations (for dates of birth written in words).
    static let months: Set<String> = {
        let list =
            "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
            + "|januar|februar|märz|mai|juni|juli|oktober|dezember|jänner|mär|okt|dez"
            + "|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|janv|févr|avr|juil|déc"
            + "|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|dicembre|gen|mag|giu|lug|ago|set|ott|dic"
            + "|enero|febrero|abril|mayo|junio|julio|septiembre|octubre|noviembre|diciembre|ene|abr"
            + "|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro|fev|dez"
            + "|januari|februari|maart|augustus|mei|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
            + "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
            + "|يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|كانون|شباط|اذار|آذار|نيسان|ايار|حزيران|تموز|آب|اب|ايلول|تشرين"
            + "|ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık"
            + "|ιανουαρίου|φεβρουαρίου|μαρτίου|απριλίου|μαΐου|ιουνίου|ιουλίου|αυγούστου|σεπτεμβρίου|οκτωβρίου|νοεμβρίου|δεκεμβρίου"
        return Set(list.split(separator: "|").map(String.init))
    }()

    /// Frequent given names among the people these reports are about and the
    /// people who smuggle them (transliterated and in Arabic, Cyrillic and
    /// Greek script). Followed by another name-like word, a warning.
    static let givenNames: Set<String> = {
        let list =
            "mohamed|mohammed|muhammad|mohammad|mohamad|mehmet|ahmed|ahmad|ahmet|ali|omar|umar|ibrahim|ismail|youssef|yusuf|yousef|mustafa|mostafa|khaled|khalid"
            + "|hassan|hasan|hussein|husain|hüseyin|abdel|abdul|abdallah|abdullah|abdelkader|abdulrahman|abdelrahman|abdoulaye|salem|salim|saleh|said|saeed|hamza|bilal"
            + "|tariq|tarek|karim|nasser|walid|faisal|mahmoud|mahmud|osama|usama|jamal|adel|adil|anwar|yasin|yassine|idris|musa|moussa|issa|isa|suleiman"
            + "|sulaiman|souleymane|younes|yunus|ayoub|anas|hamid|rashid|fatima|fatma|aisha|ayşe|amina|mariam|maryam|khadija|zainab|zeynep|nour|layla|salma"
            + "|mamadou|amadou|ousmane|boubacar|ibrahima|sekou|lamine|oumar|modou|alassane|adama|aminata|fatoumata|mariama|kadiatou|mohamedou"
            + "|chinedu|emeka|chukwuemeka|oluwaseun|tunde|babatunde|ngozi|blessing|godwin|samuel|joseph|john|peter|paul|daniel|emmanuel|victor|precious|friday|osas|osaro"
            + "|tesfaye|yonas|yohannes|tekle|berhane|haile|mulugeta|dawit|semere|filmon|kidane|ermias|tewelde|abraham|solomon|senait|medhanie|ghermay|welid|kidane"
            + "|zabihullah|rahmatullah|gul|wali|naveed|imran|asif|shahid|rahim|jawad|farid|sayed|murat|emre|burak|elif"
            + "|ivan|sergei|sergey|aleksandr|alexander|dmitri|dmitry|andrei|andrey|vladimir|nikolai|oleg|igor|yuri|mikhail|pavel|viktor|olga|natalia|elena|tatiana|irina|anna"
            + "|arben|besnik|gentian|artan|dritan|ilir|fatmir|milan|dragan|zoran|goran|nikola|stefan|marko|ivana|giorgos|georgios|nikos|dimitris|yannis|kostas"
            + "|hans|klaus|jean|pierre|marco|giuseppe|juan|jose|josé|carlos|maria|ana|jan|piotr|tomasz"
            + "|иван|сергей|александр|дмитрий|андрей|владимир|николай|олег|игорь|юрий|михаил|павел|виктор|ольга|наталья|елена|татьяна|ирина|анна|мухаммад|ахмед|али|магомед"
            + "|محمد|احمد|علي|عمر|ابراهيم|يوسف|مصطفى|خالد|حسن|حسين|عبد|عبدالله|عبدالرحمن|سالم|صالح|سعيد|حمزة|طارق|كريم|ناصر|وليد|محمود|اسامة|جمال|عادل|موسى|عيسى"
            + "|سليمان|يونس|ايوب|فاطمة|عائشة|امينة|مريم|خديجة|زينب|ابوبكر|عثمان|مختار|منصور"
            + "|γιώργος|γεώργιος|νίκος|δημήτρης|γιάννης|κώστας|μαρία|ελένη|νικόλαος|ιωάννης"
        return Set(list.split(separator: "|").map(String.init))
    }()

    /// Endings of patronymics and patronymic surnames (Иванович, Petrovna, Karaoğlu, Jónsson).
    static let patronymicEndings = ["ович", "евич", "ич", "овна", "евна", "ична", "инична", "ovich", "evich", "ovna", "evna", "ović", "ević", "oğlu", "sson", "dóttir"]

    /// Social networks whose profile addresses name a person.
    static let profileHosts = [
        "facebook.com/", "fb.com/", "m.facebook.com/", "instagram.com/", "t.me/", "telegram.me/", "tiktok.com/@", "twitter.com/", "x.com/", "wa.me/",
        "vk.com/", "ok.ru/", "youtube.com/@", "snapchat.com/add/", "linkedin.com/in/",
    ]
}
