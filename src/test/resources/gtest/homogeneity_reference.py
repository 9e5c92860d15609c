# Reference values for GTestTest: two-sample G-test of homogeneity at 50 digits (mpmath),
# cross-checked against scipy.stats.chi2_contingency(lambda_="log-likelihood", correction=False).
import mpmath as mp
from scipy.stats import chi2_contingency
mp.mp.dps = 50
cases = {
 "three": ({"a":10,"b":20,"c":30}, {"a":20,"b":20,"c":10}),
 "disjoint": ({"a":3,"b":7}, {"b":4,"c":6}),
 "zeros": ({"a":1,"b":4,"z":0}, {"a":2,"b":1,"z":0}),
 "close": ({"a":1000000,"b":1000001}, {"a":1000001,"b":1000000}),
 "fractional": ({"a":"2.5","b":"1.5"}, {"a":"0.5","b":"3.5"}),
 "genres": ({"action":30,"comedy":25,"drama":20,"horror":15,"documentary":10}, {"action":300,"comedy":200,"drama":250,"horror":150,"documentary":100}),
}
for name,(p,q) in cases.items():
    cats = sorted(set(p)|set(q))
    P=[mp.mpf(str(p.get(c,0))) for c in cats]; Q=[mp.mpf(str(q.get(c,0))) for c in cats]
    NP=sum(P); NQ=sum(Q); N=NP+NQ
    G=mp.mpf(0); cells=0
    for x,y in zip(P,Q):
        c=x+y
        if c==0: continue
        cells+=1
        for o,n in ((x,NP),(y,NQ)):
            e=c*n/N
            if o>0: G+=o*mp.log(o/e)
    G*=2; df=cells-1
    pv = mp.gammainc(mp.mpf(df)/2, G/2, mp.inf, regularized=True) if df>0 else mp.mpf(1)
    table=[[float(x) for x,y in zip(P,Q) if x+y>0],[float(y) for x,y in zip(P,Q) if x+y>0]]
    try:
        s=chi2_contingency(table, correction=False, lambda_="log-likelihood")
        sc=(s[0], s[1], s[2])
    except Exception as ex:
        sc=ex
    print(name, mp.nstr(G,20), df, mp.nstr(pv,20), "scipy:", sc)
