/**
 * The most common passwords from public breach corpora (NIST SP 800-63B §5.1.1.2: reject passwords known to be
 * commonly used or compromised). Only entries of 8+ characters matter, since shorter ones fail the length rule;
 * comparison is case-insensitive. Shipped with the code so the check needs no network call.
 */
const LIST = `
password password1 password12 password123 password1234 password12345 passw0rd p@ssw0rd p@ssword pa$$word
12345678 123456789 1234567890 12345678910 0123456789 987654321 9876543210 87654321 11111111 111111111
1111111111 00000000 000000000 0000000000 22222222 33333333 44444444 55555555 66666666 77777777 88888888
99999999 12341234 123123123 12344321 11223344 112233445566 123456123456 147258369 159753456 123qweasd
qwertyuiop qwerty123 qwerty1234 qwerty12 qwertyui qwertyuio qwerty12345 1qaz2wsx 1q2w3e4r 1q2w3e4r5t
1q2w3e4r5t6y zaq12wsx zaq1zaq1 1qazxsw2 qazwsxedc qazwsx123 asdfghjkl asdfghjk asdfasdf asdf1234 zxcvbnm1
zxcvbnm123 zxcvbnmm q1w2e3r4 q1w2e3r4t5 qweasdzxc qwer1234 abcd1234 abc12345 abcdefgh abcdefg1 abcdefghi
abc123456 a1b2c3d4 aa123456 aaaaaaaa 1234abcd iloveyou iloveyou1 iloveyou2 iloveu123 letmein1 letmein123
welcome1 welcome123 welcome12 welcome2024 welcome2025 welcome2026 sunshine sunshine1 princess princess1
football football1 baseball baseball1 basketball soccer12 hockey12 superman superman1 batman123 starwars
starwars1 trustno1 dragon12 dragon123 monkey12 monkey123 master12 master123 michael1 jennifer jordan23
shadow12 shadow123 charlie1 michelle jessica1 ashley12 daniel12 matthew1 andrew12 joshua12 thomas12
computer computer1 internet whatever whatever1 freedom1 mustang1 maverick cowboys1 chelsea1 liverpool
arsenal1 manchester barcelona juventus dolphins steelers yankees1 lakers24 redskins eagles12 packers1
chicago1 newyork1 london12 london123 paris123 berlin12 america1 canada12 australia germany1 france12
changeme changeme1 changeme123 default1 default123 secret12 secret123 admin123 admin1234 administrator
adminadmin root1234 rootroot toor1234 guest123 user1234 test1234 test12345 testtest testing1 testing123
temp1234 temporary access14 access123 login123 master1234 letmein! password! password1! Password1
Password123 Password1! Passw0rd! Welcome1 Welcome123 Welcome1! Qwerty123 Qwerty123! Summer2024 Summer2025
Summer2026 Winter2024 Winter2025 Winter2026 Spring2024 Spring2025 Spring2026 Autumn2024 Autumn2025
Autumn2026 Fall2024 Fall2025 Fall2026 january1 february march2024 september october1 november december
monday123 friday13 sunday12 11111111a 1234567a 1234567q a12345678 q12345678 12345678a 12345678q
123456789a 123456789q 1q2w3e4r5 1234qwer 1234asdf qwe123qwe asd123asd zxc123zxc 123qwe123 qwe12345
12qwaszx 123abc123 abc123abc 112233aa 147852369 741852963 963852741 159357456 123654789 789456123
456789123 258456258 789456789 741258963 852456753 147896325 1234554321 5201314520 woaini1314 aini1314
lovelove loveyou1 lovely12 loveme12 ilovemom iloveyou! ihateyou sweetheart sweetie1 honey123 babygirl
babygirl1 baby1234 angel123 angels12 butterfly flower12 flowers1 rainbow1 sunflower cherry12 chocolate
cookie12 cupcake1 pepper12 ginger12 buster12 tigger12 bailey12 maggie12 molly123 buddy123 rocky123
lucky123 lucky777 blessed1 blessing jesus123 jesuschrist godisgood christ12 faith123 heaven12 angel1234
princess123 princesa chicken1 cheese12 banana12 orange12 apple123 pokemon1 pokemon123 naruto12 minecraft
minecraft1 roblox123 fortnite fortnite1 playstation xbox3600 nintendo warcraft1 counterstrike gaming12
gamer123 hunter12 hunter123 killer12 ranger12 slayer12 ninja123 zombie12 matrix12 phoenix1 falcon12
thunder1 lightning harley12 ferrari1 porsche1 mercedes corvette mustang12 camaro12 yamaha12 kawasaki
suzuki12 ducati12 hello123 hello1234 helloworld hellokitty goodluck goodbye1 nothing1 anything something
myspace1 facebook facebook1 google123 youtube1 twitter1 instagram linkedin1 microsoft windows1 windows10
apple1234 iphone12 samsung1 samsung123 android1 nokia123 motorola blackberry dellpass lenovo12 hp123456
superstar rockstar1 rockyou1 superman123 spiderman batman12 ironman1 captain1 avengers marvel12 pikachu1
snoopy12 garfield scooby12 simpsons tweety12 mickey12 minnie12 dolphin1 elephant giraffe1 penguin1
monkey1234 tiger123 lion1234 panther1 jaguar12 cheetah1 wolfpack eagle123 hawkeye1 raven123 sparrow1
qwertyqwerty asdfasdfasdf zxcvzxcv qweqweqwe asdasdasd zxczxczxc 123qweasdzxc 1qaz2wsx3edc zaq1xsw2
!qaz2wsx 1qaz@wsx qwert123 qwert12345 asdfg123 asdfgh12 asdfghjkl1 zxcvb123 poiuytrewq lkjhgfdsa
mnbvcxz1 0987654321 09876543 98765432 7654321a 11112222 12121212 13131313 69696969 12345678! 1234567890a
aaaaaaa1 aaaaaaaaa aaaaaaaaaa abcabcabc abc123abc123 passpass passpass1 pass1234 pass12345 pass123456
mypassword mypass123 yourpassword newpassword newpass1 oldpassword secretpassword nopassword
passwordpassword password2 password3 password7 password9 password01 password11 password13 password99
password2024 password2025 password2026 qwerty2024 qwerty2025 qwerty2026 admin2024 admin2025 admin2026
letmein2024 letmein2025 letmein2026 football123 baseball123 soccer123 hockey123 tennis123 golfer12
charlie123 michael123 jordan123 jessica123 ashley123 daniel123 matthew123 andrew123 joshua123 thomas123
robert12 robert123 william1 william123 richard1 charles1 joseph12 christopher christian1 nicholas
jonathan1 benjamin1 samantha1 elizabeth victoria1 alexander1 alexandra1 anthony1 natasha1 melissa1
jasmine1 amanda12 stephanie veronica valentina isabella1 sophia123 olivia123 emma1234 mohammed1
muhammad1 ahmed123 ali12345 alibaba1 bismillah qwerty7 qwerty11 qazwsxedc123 1a2b3c4d5e a1s2d3f4
q1w2e3r4t5y6 1qaz!qaz 1qaz1qaz 2wsx2wsx 3edc3edc zaq1@wsx 123456aa 123456ab 123456abc 123456qwe
123456789abc 123456789qwe abcd12345 abcde123 abcdef12 abcdef123 asdf12345 qwer12345 zxcv1234 zxcvbn123
1234zxcv 1234qwerty qwerty123456 qwertyuiop123 computer123 internet1 dragon1234 shadow1234 master12345
trustno12 secret1234 welcome1234 sunshine123 iloveyou123 princess12 monkey1 letmeinplease openup123
opensesame sesame12 abracadabra magic123 wizard12 merlin12 gandalf1 frodo123 hogwarts harrypotter
voldemort startrek enterprise deathstar skywalker darthvader chewbacca yoda1234 jedi1234 bookworm
reading1 library1 books123 bookstore folio123 readmore literature novel123 story123 writer12
`

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  LIST.split(/\s+/)
    .filter(Boolean)
    .map((entry) => entry.toLowerCase()),
)

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase())
}
