import Foundation
import Testing

@testable import AuditReportCore

@Suite struct CatalogTests {
    struct ReferenceRow {
        var key, category, en, de, source, pairing: String
    }

    /// Golden/event-catalogue.tsv: Notion's labels as published. A label change is a
    /// deliberate change to this file and to Locales/ together.
    static let reference: [ReferenceRow] = {
        let text = try! String(contentsOf: TestSupport.golden.appendingPathComponent("event-catalogue.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return ReferenceRow(key: f[0], category: f[1], en: f[2], de: f[3], source: f[4], pairing: f[5])
        }
    }()

    @Test func everyReferenceKeyIsInTheCatalogueWithItsCategoryAndSource() {
        let catalog = TestSupport.store.catalog
        #expect(Self.reference.count == 261)
        #expect(catalog.eventKeys == Self.reference.map(\.key))
        for row in Self.reference {
            let entry = catalog.entry(row.key)
            #expect(entry?.category == row.category, "\(row.key)")
            #expect(entry?.keySource == row.source, "\(row.key)")
            #expect(entry?.pairing == row.pairing, "\(row.key)")
        }
    }

    @Test func uiLabelsEqualNotionsPublishedLabelsInBothLanguages() throws {
        let en = try TestSupport.store.pack("en")
        let de = try TestSupport.store.pack("de")
        for row in Self.reference {
            if !row.en.isEmpty {
                #expect(en.events[row.key]?.ui == row.en, "\(row.key)")
                #expect(en.events[row.key]?.official == true, "\(row.key)")
            } else {
                #expect(en.events[row.key]?.official == false, "\(row.key)")
            }
            if !row.de.isEmpty {
                #expect(de.events[row.key]?.ui == row.de, "\(row.key)")
                #expect(de.events[row.key]?.official == true, "\(row.key)")
            } else {
                // Written for this tool in Notion's German register, and marked as such.
                #expect(de.events[row.key]?.official == false, "\(row.key)")
                #expect((de.events[row.key]?.ui ?? "").isEmpty == false, "\(row.key)")
            }
        }
    }

    @Test func sharedUILabelsHaveSpecificReportLabels() throws {
        for language in ["en", "de"] {
            let pack = try TestSupport.store.pack(language)
            let keys = TestSupport.store.catalog.eventKeys.filter { !TestSupport.store.catalog.entry($0)!.group.isEmpty }
            #expect(keys.count == 29)
            let reports = keys.map { pack.events[$0]!.report }
            #expect(Set(reports).count == reports.count, "\(language): report labels of grouped keys must differ")
        }
        let en = try TestSupport.store.pack("en")
        #expect(en.events["page.permissions.guest_role_added"]?.report == "Guest page permission added")
        #expect(en.events["page.permissions.integration_role_removed"]?.report == "Integration page permission removed")
    }

    @Test(arguments: [
        ("Page viewed", "page.viewed"), ("Seite angesehen", "page.viewed"), ("page viewed", "page.viewed"),
        ("Page permission update", "group.page_permission_update"), ("Aktualisierung der Seitenberechtigung", "group.page_permission_update"),
        ("Email changed", "user.settings.email_updated"), ("E-Mail-Adresse geändert", "user.settings.email_updated"),
        ("IdP metadata XMP removed", "workspace.saml_sso_idp_metadata_xml_removed"),
        ("Guest page permission added", "page.permissions.guest_role_added"),
        ("Workspace creation setting updated", "group.workspace_creation_setting_updated"),
        ("page.viewed", "page.viewed"), ("workspace.new_thing_added", "workspace.new_thing_added"),
    ])
    func exportCellsResolveToKeys(_ text: String, _ key: String) {
        #expect(TestSupport.store.resolveEvent(text) == key)
    }

    @Test func everyGroupNamesMembersAndEverySynonymItsCanonicalKey() {
        let catalog = TestSupport.store.catalog
        for entry in catalog.entries where entry.kind == .group {
            #expect(catalog.members(ofGroup: entry.key).count >= 2, "\(entry.key)")
        }
        #expect(catalog.canonicalKey("user.settings.login_method.email_updated") == "user.settings.email_updated")
        #expect(catalog.members(ofGroup: "group.page_permission_update").count == 12)
    }

    @Test func shippedLanguagesAreComplete() throws {
        let checker = LocaleChecker(store: TestSupport.store)
        #expect(try checker.check("en") == [])
        #expect(try checker.check("de") == [])
        #expect(TestSupport.store.languages == ["de", "en"])
    }

    @Test func checkerReportsMissingExtraAndEmptyEntries() throws {
        let store = try LocaleStore.load(from: TestSupport.localesURL, extraPacks: [TestSupport.fixtures.appendingPathComponent("locales/fr.json")])
        let problems = try LocaleChecker(store: store).check("fr")
        #expect(problems.contains(.init(kind: .missing, item: "events.page.exported")))
        #expect(problems.contains(.init(kind: .missing, item: "strings.column.role")))
        #expect(problems.contains(.init(kind: .missing, item: "categories.agent")))
        #expect(!problems.contains { $0.item.hasPrefix("events.page.viewed") })
    }

    @Test func unknownKeysGetALabelMadeFromTheKeyWithAMarker() throws {
        let en = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        #expect(en.eventLabel("workspace.foo_bar_updated") == "Workspace: foo bar updated (not in catalogue)")
        #expect(de.eventLabel("workspace.foo_bar_updated") == "Workspace: foo bar updated (nicht im Katalog)")
        #expect(de.eventLabel("page.brand_new") == "Seite: brand new (nicht im Katalog)")
        #expect(en.eventLabel("Some label") == "Some label (not in catalogue)")
        #expect(en.categoryLabel(ofKey: "datasource.x") == "Other")
        #expect(de.categoryLabel(ofKey: "ui.workers.new_thing") == "Worker")
    }

    @Test func exportListsEveryKeyWithLocalizedHeader() throws {
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        let lines = LocaleChecker.exportTSV(de).split(separator: "\n")
        #expect(lines.count == 1 + TestSupport.store.catalog.entries.count)
        #expect(lines[0] == "Schlüssel\tKategorie\tUI-Bezeichnung\tBerichtsbezeichnung\tBeschreibung\toffiziell")
        #expect(lines.contains("page.viewed\tSeite\tSeite angesehen\tSeite angesehen\tJemand hat eine Seite geöffnet.\tja"))
    }
}
